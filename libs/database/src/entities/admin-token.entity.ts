import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** Opaque bearer tokens for the admin API (the bootstrap token and those made through /v1/admin-tokens). Only a SHA-256 digest is stored. */
@Entity({ name: 'admin_tokens' })
export class AdminTokenEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'token_hash', type: 'char', length: 64, unique: true, select: false })
  tokenHash: string;

  @Column({ type: 'text' })
  description: string;

  /** Null for a platform-level token, which picks a tenant per request with X-Tenant-Id. */
  @Column({ name: 'tenant_id', type: 'uuid', nullable: true })
  tenantId: string | null;

  @Column({ type: 'text', array: true })
  permissions: string[];

  /** The last four characters, so an operator can tell tokens apart without the secret. */
  @Column({ name: 'token_hint', type: 'text', nullable: true })
  tokenHint: string | null;

  /** Null: never expires. */
  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt: Date | null;

  /** Updated at most once a minute. */
  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null;

  /** Who made it: `bootstrap`, `admin-token:<id>` or `jwt:<sub>`. */
  @Column({ name: 'created_by', type: 'text', nullable: true })
  createdBy: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
