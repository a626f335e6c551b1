import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A durable "this installation was bootstrapped" marker (one row at most), so the first-start
 * bootstrap never runs again, whatever happens to admin_tokens. An installation that predates the
 * marker and already has tenants or admin tokens counts as bootstrapped.
 */
export class InstallationBootstrap1764662400100 implements MigrationInterface {
  name = 'InstallationBootstrap1764662400100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE installation_bootstrap (
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        bootstrapped_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      INSERT INTO installation_bootstrap (bootstrapped_at)
        SELECT now() WHERE EXISTS (SELECT 1 FROM tenants) OR EXISTS (SELECT 1 FROM admin_tokens)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE installation_bootstrap`);
  }
}
