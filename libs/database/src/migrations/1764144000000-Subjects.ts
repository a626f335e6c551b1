import { MigrationInterface, QueryRunner } from 'typeorm';

export class Subjects1764144000000 implements MigrationInterface {
  name = 'Subjects1764144000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE subjects (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id),
        user_name text NOT NULL,
        external_id text,
        display_name text,
        active boolean NOT NULL DEFAULT true,
        document jsonb NOT NULL,
        provider text,
        source text NOT NULL,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz
      )`);
    // userName is caseExact:false: uniqueness and filtering both go through lower().
    await q.query(
      `CREATE UNIQUE INDEX uq_subjects_tenant_user_name ON subjects (tenant_id, lower(user_name)) WHERE deleted_at IS NULL`,
    );
    await q.query(
      `CREATE INDEX ix_subjects_tenant_external_id ON subjects (tenant_id, external_id) WHERE deleted_at IS NULL`,
    );
    await q.query(
      `CREATE INDEX ix_subjects_tenant_display_name ON subjects (tenant_id, lower(display_name)) WHERE deleted_at IS NULL`,
    );
    await q.query(
      `CREATE INDEX ix_subjects_tenant_created ON subjects (tenant_id, created_at, id) WHERE deleted_at IS NULL`,
    );
    await q.query(`
      CREATE TABLE provisioning_commands (
        command_id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        name text NOT NULL,
        outcome jsonb NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX ix_provisioning_commands_applied ON provisioning_commands (applied_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE provisioning_commands`);
    await q.query(`DROP TABLE subjects`);
  }
}
