import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The provisioning audit log: one append-only row per provisioning command (SCIM, operator API,
 * just-in-time sign-in) with its outcome, what an operator reads when Entra reports "skipped" or
 * "failed". Attribute names are kept, never their values; user_name is personal data and goes
 * with the row after RETENTION_AUDIT_DAYS.
 *
 * Indexes serve the list (newest first per tenant, by resource, by outcome; id breaks ties for
 * the cursor). Retention deletes by occurred_at across tenants: rows arrive in time order, so a
 * BRIN index serves it at almost no cost per insert.
 */
export class ProvisioningAudit1765100200000 implements MigrationInterface {
  name = 'ProvisioningAudit1765100200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE provisioning_audit (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        occurred_at timestamptz NOT NULL,
        source text NOT NULL CHECK (source IN ('scim', 'admin', 'sso-jit')),
        scim_token_id uuid,
        provider text,
        actor text,
        command_id uuid,
        operation text NOT NULL CHECK (operation IN ('create', 'replace', 'patch', 'delete')),
        resource_type text NOT NULL CHECK (resource_type IN ('User', 'Group')),
        resource_id text,
        user_name text,
        changed_attributes text[] NOT NULL DEFAULT '{}',
        decisions text[] NOT NULL DEFAULT '{}',
        outcome text NOT NULL CHECK (outcome IN ('success', 'refused', 'failed')),
        status smallint NOT NULL,
        scim_type text,
        message text,
        duration_ms integer NOT NULL
      )`);
    await q.query(
      `CREATE INDEX ix_provisioning_audit_tenant_time ON provisioning_audit (tenant_id, occurred_at DESC, id DESC)`,
    );
    await q.query(
      `CREATE INDEX ix_provisioning_audit_tenant_resource
         ON provisioning_audit (tenant_id, resource_id, occurred_at DESC, id DESC)`,
    );
    await q.query(
      `CREATE INDEX ix_provisioning_audit_tenant_outcome
         ON provisioning_audit (tenant_id, outcome, occurred_at DESC, id DESC)`,
    );
    await q.query(
      `CREATE INDEX ix_provisioning_audit_retention ON provisioning_audit USING brin (occurred_at)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE provisioning_audit`);
  }
}
