import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A bearer token an IdP uses on the SCIM gateway. Only its SHA-256 digest is stored. */
@Entity({ name: 'scim_tokens' })
export class ScimTokenEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId: string;

  @Column({ name: 'identity_provider_id', type: 'uuid' })
  identityProviderId: string;

  /** The scheme of the linked identity provider (schemes cannot change, so this never goes stale). */
  @Column({ type: 'text' })
  provider: string;

  @Column({ name: 'provider_display_name', type: 'text' })
  providerDisplayName: string;

  @Column({ name: 'token_hash', type: 'char', length: 64, unique: true, select: false })
  tokenHash: string;

  /** The last four characters, so an operator can tell tokens apart without the secret. */
  @Column({ name: 'token_hint', type: 'text' })
  tokenHint: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null;
}
