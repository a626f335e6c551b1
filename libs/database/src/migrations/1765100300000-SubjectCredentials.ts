import { MigrationInterface, QueryRunner } from 'typeorm';

export class SubjectCredentials1765100300000 implements MigrationInterface {
  name = 'SubjectCredentials1765100300000';

  async up(q: QueryRunner): Promise<void> {
    // How a subject signs in when an operator chose it (no row: the tenant's default), and the
    // built-in password: an argon2id hash, the failure count and lock of the back-off, and the
    // SHA-256 digest of a pending one-time invitation (the token itself is shown once, never stored).
    await q.query(`
      CREATE TABLE subject_credentials (
        subject_id uuid PRIMARY KEY REFERENCES subjects(id) ON DELETE CASCADE,
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        login_method text CHECK (login_method IN ('entra', 'built-in')),
        password_hash text,
        password_changed_at timestamptz,
        failed_attempts integer NOT NULL DEFAULT 0,
        locked_until timestamptz,
        invitation_digest text,
        invitation_expires_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE UNIQUE INDEX uq_subject_credentials_invitation ON subject_credentials (tenant_id, invitation_digest)
        WHERE invitation_digest IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE subject_credentials`);
  }
}
