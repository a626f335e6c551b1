import { MigrationInterface, QueryRunner } from 'typeorm';

export class Groups1764230400000 implements MigrationInterface {
  name = 'Groups1764230400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE groups (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id),
        display_name text NOT NULL,
        external_id text,
        document jsonb NOT NULL,
        provider text,
        source text NOT NULL,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE UNIQUE INDEX uq_groups_tenant_display_name ON groups (tenant_id, lower(display_name))`,
    );
    await q.query(`CREATE INDEX ix_groups_tenant_external_id ON groups (tenant_id, external_id)`);
    await q.query(`CREATE INDEX ix_groups_tenant_created ON groups (tenant_id, created_at, id)`);
    // Membership as rows: a delta is an insert or a delete, never a rewrite of the whole list.
    await q.query(`
      CREATE TABLE group_members (
        group_id uuid NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
        subject_id uuid NOT NULL REFERENCES subjects(id) ON DELETE CASCADE,
        tenant_id uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (group_id, subject_id)
      )`);
    await q.query(`CREATE INDEX ix_group_members_subject ON group_members (subject_id, group_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE group_members`);
    await q.query(`DROP TABLE groups`);
  }
}
