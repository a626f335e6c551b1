import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for SCIM reads by `userName eq` and `externalId eq` that do not depend on planner
 * statistics. Without statistics PostgreSQL estimates `deleted_at IS NULL` at 0.5 % of the rows,
 * so every partial `… WHERE deleted_at IS NULL` index of a tenant looks like one row and it may
 * pick (tenant_id, created_at, id) and filter the whole tenant. The gateway's equality reads state
 * liveness in a form no partial index matches, and find their rows through these non-partial
 * indexes (tombstones included, filtered after). The partial unique index keeps enforcing unique
 * live userNames; the externalId index simply stops being partial.
 */
export class ScimEqualityIndexes1765100400000 implements MigrationInterface {
  name = 'ScimEqualityIndexes1765100400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX ix_subjects_tenant_any_user_name ON subjects (tenant_id, lower(user_name))`);
    await q.query(`DROP INDEX ix_subjects_tenant_external_id`);
    await q.query(`CREATE INDEX ix_subjects_tenant_external_id ON subjects (tenant_id, external_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_subjects_tenant_external_id`);
    await q.query(
      `CREATE INDEX ix_subjects_tenant_external_id ON subjects (tenant_id, external_id) WHERE deleted_at IS NULL`,
    );
    await q.query(`DROP INDEX ix_subjects_tenant_any_user_name`);
  }
}
