import { MigrationInterface, QueryRunner } from 'typeorm';

/** Admin tokens made and revoked through the API: a hint to tell them apart, expiry, last use, creator. */
export class AdminTokenLifecycle1764662400000 implements MigrationInterface {
  name = 'AdminTokenLifecycle1764662400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE admin_tokens
        ADD COLUMN token_hint text,
        ADD COLUMN expires_at timestamptz,
        ADD COLUMN last_used_at timestamptz,
        ADD COLUMN created_by text`);
    await q.query(`CREATE INDEX ix_admin_tokens_tenant ON admin_tokens (tenant_id, created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_admin_tokens_tenant`);
    await q.query(`
      ALTER TABLE admin_tokens
        DROP COLUMN token_hint, DROP COLUMN expires_at, DROP COLUMN last_used_at, DROP COLUMN created_by`);
  }
}
