import { MigrationInterface, QueryRunner } from 'typeorm';

export class Foundation1764057600000 implements MigrationInterface {
  name = 'Foundation1764057600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE tenants (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        display_name text NOT NULL,
        enabled boolean NOT NULL DEFAULT true,
        is_default boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_tenants_default ON tenants (is_default) WHERE is_default`);
    await q.query(`
      CREATE TABLE admin_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        token_hash char(64) NOT NULL,
        description text NOT NULL,
        tenant_id uuid REFERENCES tenants(id),
        permissions text[] NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_admin_tokens_hash UNIQUE (token_hash)
      )`);
    await q.query(`
      CREATE TABLE identity_providers (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id),
        scheme text NOT NULL,
        kind text NOT NULL,
        display_name text NOT NULL,
        enabled boolean NOT NULL,
        type text NOT NULL,
        login_enabled boolean NOT NULL,
        visible boolean NOT NULL,
        delegation_enabled boolean NOT NULL,
        auto_provisioning_enabled boolean NOT NULL,
        client_id text NOT NULL,
        client_secret_ciphertext text,
        has_client_secret boolean NOT NULL,
        use_pkce boolean NOT NULL,
        authority text NOT NULL,
        response_type text NOT NULL,
        scope text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_identity_providers_tenant_scheme UNIQUE (tenant_id, scheme)
      )`);
    await q.query(`
      CREATE TABLE scim_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id),
        identity_provider_id uuid NOT NULL REFERENCES identity_providers(id) ON DELETE RESTRICT,
        provider text NOT NULL,
        provider_display_name text NOT NULL,
        token_hash char(64) NOT NULL,
        token_hint text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        last_used_at timestamptz,
        CONSTRAINT uq_scim_tokens_hash UNIQUE (token_hash)
      )`);
    await q.query(`CREATE INDEX ix_scim_tokens_tenant ON scim_tokens (tenant_id, created_at)`);
    await q.query(`CREATE INDEX ix_scim_tokens_provider ON scim_tokens (identity_provider_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE scim_tokens`);
    await q.query(`DROP TABLE identity_providers`);
    await q.query(`DROP TABLE admin_tokens`);
    await q.query(`DROP TABLE tenants`);
  }
}
