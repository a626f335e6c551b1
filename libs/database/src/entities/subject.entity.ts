import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A subject (a user) of a tenant. `document` is the SCIM User as last written; the indexed columns
 * are copies of the attributes that filters and uniqueness need. A deleted subject keeps its row
 * (`deleted_at` set) as a tombstone for audit; SCIM no longer sees it.
 */
@Entity({ name: 'subjects' })
export class SubjectEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId: string;

  @Column({ name: 'user_name', type: 'text' })
  userName: string;

  @Column({ name: 'external_id', type: 'text', nullable: true })
  externalId: string | null;

  @Column({ name: 'display_name', type: 'text', nullable: true })
  displayName: string | null;

  @Column({ type: 'boolean' })
  active: boolean;

  @Column({ type: 'jsonb' })
  document: Record<string, unknown>;

  /** Scheme of the identity provider that created it (SCIM token's provider, or SSO login). */
  @Column({ type: 'text', nullable: true })
  provider: string | null;

  @Column({ type: 'text' })
  source: 'scim' | 'sso-jit' | 'admin';

  /** The Entra object id (oid) the subject signed in with. */
  @Column({ name: 'entra_oid', type: 'text', nullable: true })
  entraOid: string | null;

  @Column({ type: 'integer' })
  version: number;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true })
  deletedAt: Date | null;
}
