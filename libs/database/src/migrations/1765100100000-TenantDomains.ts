import { MigrationInterface, QueryRunner } from 'typeorm';

export class TenantDomains1765100100000 implements MigrationInterface {
  name = 'TenantDomains1765100100000';

  async up(q: QueryRunner): Promise<void> {
    // A tenant's claim on a DNS domain, proven by publishing `verification_token` as a TXT record at
    // `_iam-verify.<domain>`. `domain` is lowercase ASCII (IDNA), without a trailing dot. Two tenants
    // may claim the same domain: each proves control with its own token.
    await q.query(`
      CREATE TABLE tenant_domains (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id),
        domain text NOT NULL CHECK (domain = lower(domain) AND length(domain) <= 253),
        verification_token text NOT NULL,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'verified')),
        verified_at timestamptz,
        last_checked_at timestamptz,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (tenant_id, domain)
      )`);
    // Entra tenants (tid) a provider accepts sign-ins from; empty = any its authority admits.
    await q.query(
      `ALTER TABLE identity_providers ADD COLUMN allowed_entra_tenant_ids text[] NOT NULL DEFAULT '{}'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE identity_providers DROP COLUMN allowed_entra_tenant_ids`);
    await q.query(`DROP TABLE tenant_domains`);
  }
}
