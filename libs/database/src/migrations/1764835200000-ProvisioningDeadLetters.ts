import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Provisioning commands set aside after failing again and again for a reason that is neither a
 * refusal nor a database fault (a poison command): operators read them at /v1/provisioning/dead-letters.
 * The command's document is not kept (personal data); its name, target and the error are.
 */
export class ProvisioningDeadLetters1764835200000 implements MigrationInterface {
  name = 'ProvisioningDeadLetters1764835200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE provisioning_dead_letters (
        id uuid PRIMARY KEY,
        command_id uuid NOT NULL UNIQUE,
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        command text NOT NULL,
        target_id text,
        attempts integer NOT NULL,
        error text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX ix_provisioning_dead_letters_tenant ON provisioning_dead_letters (tenant_id, created_at DESC, id)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE provisioning_dead_letters`);
  }
}
