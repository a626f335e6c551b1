import { Injectable } from '@nestjs/common';
import { Db, returnedRows } from '@app/database';

export type DomainStatus = 'pending' | 'verified';

/** A domain a tenant claims, and how far it has proven it. */
export interface TenantDomainRow {
  id: string;
  tenantId: string;
  domain: string;
  verificationToken: string;
  status: DomainStatus;
  verifiedAt: Date | null;
  lastCheckedAt: Date | null;
  lastError: string | null;
  createdAt: Date;
}

const COLUMNS = `id, tenant_id AS "tenantId", domain, verification_token AS "verificationToken", status,
  verified_at AS "verifiedAt", last_checked_at AS "lastCheckedAt", last_error AS "lastError",
  created_at AS "createdAt"`;

/** The one owner of the tenant_domains table. Every statement is scoped to one tenant. */
@Injectable()
export class DomainsRepository {
  async insert(
    db: Db,
    domain: { tenantId: string; domain: string; verificationToken: string },
  ): Promise<TenantDomainRow> {
    const rows: TenantDomainRow[] = await db.query(
      `INSERT INTO tenant_domains (tenant_id, domain, verification_token) VALUES ($1, $2, $3)
       RETURNING ${COLUMNS}`,
      [domain.tenantId, domain.domain, domain.verificationToken],
    );
    return rows[0]!;
  }

  list(db: Db, tenantId: string): Promise<TenantDomainRow[]> {
    return db.query(`SELECT ${COLUMNS} FROM tenant_domains WHERE tenant_id = $1 ORDER BY domain`, [tenantId]);
  }

  async find(db: Db, tenantId: string, domain: string): Promise<TenantDomainRow | undefined> {
    const rows: TenantDomainRow[] = await db.query(
      `SELECT ${COLUMNS} FROM tenant_domains WHERE tenant_id = $1 AND domain = $2`,
      [tenantId, domain],
    );
    return rows[0];
  }

  /** Which of `domains` (normalised) the tenant has verified. */
  async verifiedAmong(db: Db, tenantId: string, domains: string[]): Promise<Set<string>> {
    const rows: Array<{ domain: string }> = await db.query(
      `SELECT domain FROM tenant_domains WHERE tenant_id = $1 AND status = 'verified' AND domain = ANY($2)`,
      [tenantId, domains],
    );
    return new Set(rows.map((r) => r.domain));
  }

  /**
   * Records a DNS check of the claim made with `verificationToken` (a claim deleted and added again
   * meanwhile has another token and is left alone): verified when `error` is null, else still pending
   * with the reason. Undefined when that claim no longer exists.
   */
  async recordCheck(
    db: Db,
    claim: { tenantId: string; domain: string; verificationToken: string },
    error: string | null,
  ): Promise<TenantDomainRow | undefined> {
    const result = await db.query(
      `UPDATE tenant_domains
          SET last_checked_at = now(), last_error = $4,
              status = CASE WHEN $4::text IS NULL THEN 'verified' ELSE status END,
              verified_at = CASE WHEN $4::text IS NULL THEN now() ELSE verified_at END
        WHERE tenant_id = $1 AND domain = $2 AND verification_token = $3
        RETURNING ${COLUMNS}`,
      [claim.tenantId, claim.domain, claim.verificationToken, error],
    );
    return returnedRows<TenantDomainRow>(result)[0];
  }

  /** True when the domain was there to delete. */
  async delete(db: Db, tenantId: string, domain: string): Promise<boolean> {
    const result = await db.query(
      `DELETE FROM tenant_domains WHERE tenant_id = $1 AND domain = $2 RETURNING id`,
      [tenantId, domain],
    );
    return returnedRows(result).length > 0;
  }
}
