import { MigrationInterface, QueryRunner } from 'typeorm';

export class SsoLogin1764403200000 implements MigrationInterface {
  name = 'SsoLogin1764403200000';

  async up(q: QueryRunner): Promise<void> {
    // Entra app registrations carry several redirect URIs (web, mobile and desktop); only these are accepted.
    await q.query(`ALTER TABLE identity_providers ADD COLUMN redirect_uris text[] NOT NULL DEFAULT '{}'`);
    // The Entra object id (oid) a subject signed in with: the stable key for later logins.
    await q.query(`ALTER TABLE subjects ADD COLUMN entra_oid text`);
    await q.query(
      `CREATE INDEX ix_subjects_tenant_entra_oid ON subjects (tenant_id, entra_oid) WHERE entra_oid IS NOT NULL`,
    );
    // IAM's own token-signing keys; private keys sealed with IAM_SECRET_KEY.
    await q.query(`
      CREATE TABLE signing_keys (
        kid text PRIMARY KEY,
        private_key_ciphertext text NOT NULL,
        public_jwk jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE signing_keys`);
    await q.query(`DROP INDEX ix_subjects_tenant_entra_oid`);
    await q.query(`ALTER TABLE subjects DROP COLUMN entra_oid`);
    await q.query(`ALTER TABLE identity_providers DROP COLUMN redirect_uris`);
  }
}
