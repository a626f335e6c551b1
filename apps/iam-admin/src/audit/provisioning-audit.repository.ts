import { Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { Db } from '@app/database';
import type { SubjectSource } from '../subjects/subjects.repository';

export const AUDIT_OPERATIONS = ['create', 'replace', 'patch', 'delete'] as const;
/** ProvisioningSettings: an operator changed the tenant's settings (resourceId: the provider of an override). */
export const AUDIT_RESOURCE_TYPES = ['User', 'Group', 'ProvisioningSettings'] as const;
export const AUDIT_OUTCOMES = ['success', 'refused', 'failed'] as const;
export const AUDIT_SOURCES: readonly SubjectSource[] = ['scim', 'admin', 'sso-jit'];

export type AuditOperation = (typeof AUDIT_OPERATIONS)[number];
export type AuditResourceType = (typeof AUDIT_RESOURCE_TYPES)[number];
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/** One provisioning action as the audit log keeps it: attribute names, never their values. */
export interface ProvisioningAuditEntry {
  tenantId: string;
  /** When the command finished; now by default. */
  occurredAt?: Date;
  source: SubjectSource;
  scimTokenId?: string | null;
  /** Scheme of the identity provider. */
  provider?: string | null;
  /** Who asked through the operator API: the admin token id or the JWT `sub`. */
  actor?: string | null;
  commandId?: string | null;
  operation: AuditOperation;
  resourceType: AuditResourceType;
  /** None for a refused create. */
  resourceId?: string | null;
  /**
   * The userName (a Group's displayName). When absent, the same INSERT takes it from the
   * resource's row, if there is one: no extra round trip for the caller.
   */
  userName?: string | null;
  changedAttributes?: string[];
  /** Policy decisions that did not refuse the command (CommandContext.decisions). */
  decisions?: string[];
  outcome: AuditOutcome;
  /** HTTP status of the answer (201, 200, 204, 4xx, 500). */
  status: number;
  scimType?: string | null;
  /** The refusal or failure detail. */
  message?: string | null;
  durationMs: number;
}

export interface ProvisioningAuditRow {
  id: string;
  occurredAt: Date;
  source: SubjectSource;
  scimTokenId: string | null;
  provider: string | null;
  actor: string | null;
  commandId: string | null;
  operation: AuditOperation;
  resourceType: AuditResourceType;
  resourceId: string | null;
  userName: string | null;
  changedAttributes: string[];
  decisions: string[];
  outcome: AuditOutcome;
  status: number;
  scimType: string | null;
  message: string | null;
  durationMs: number;
}

export interface ProvisioningAuditFilter {
  /** Inclusive. */
  from?: Date;
  /** Exclusive. */
  to?: Date;
  resourceId?: string;
  /** Case-insensitive, exact. */
  userName?: string;
  outcome?: AuditOutcome;
  operation?: AuditOperation;
  resourceType?: AuditResourceType;
  source?: SubjectSource;
}

/** Where a page ends: the list is ordered by (occurredAt, id), newest first. */
export interface AuditPosition {
  occurredAt: Date;
  id: string;
}

const COLUMNS = `id::text AS id, occurred_at AS "occurredAt", source, scim_token_id AS "scimTokenId", provider, actor,
  command_id AS "commandId", operation, resource_type AS "resourceType", resource_id AS "resourceId",
  user_name AS "userName", changed_attributes AS "changedAttributes", decisions, outcome, status,
  scim_type AS "scimType", message, duration_ms AS "durationMs"`;

const INSERT = `INSERT INTO provisioning_audit (tenant_id, occurred_at, source, scim_token_id, provider, actor,
  command_id, operation, resource_type, resource_id, changed_attributes, decisions, outcome, status, scim_type,
  message, duration_ms, user_name)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,`;

/**
 * The userName when the caller does not have it: read from the resource's row inside the INSERT
 * (a deprovisioned subject keeps its row). $18 is the resource id when it is a UUID, else null.
 */
const NAME_FROM_ROW: Partial<Record<AuditResourceType, string>> = {
  User: `(SELECT user_name FROM subjects WHERE tenant_id = $1 AND id = $18::uuid))`,
  Group: `(SELECT display_name FROM groups WHERE tenant_id = $1 AND id = $18::uuid))`,
};

/** Owns provisioning_audit: append-only, one row per provisioning command. */
@Injectable()
export class ProvisioningAuditRepository {
  /** One statement: on the success path it runs inside the command's own transaction. */
  async insert(db: Db, entry: ProvisioningAuditEntry): Promise<void> {
    const resourceId = entry.resourceId?.toLowerCase() ?? null;
    const params = [
      entry.tenantId,
      entry.occurredAt ?? new Date(),
      entry.source,
      entry.scimTokenId ?? null,
      entry.provider ?? null,
      entry.actor ?? null,
      entry.commandId ?? null,
      entry.operation,
      entry.resourceType,
      resourceId,
      entry.changedAttributes ?? [],
      entry.decisions ?? [],
      entry.outcome,
      entry.status,
      entry.scimType ?? null,
      entry.message ?? null,
      Math.max(0, Math.round(entry.durationMs)),
    ];
    const fromRow = NAME_FROM_ROW[entry.resourceType];
    if (typeof entry.userName === 'string' || !fromRow)
      await db.query(`${INSERT} $18)`, [...params, entry.userName ?? null]);
    else
      await db.query(`${INSERT} ${fromRow}`, [
        ...params,
        resourceId !== null && isUUID(resourceId) ? resourceId : null,
      ]);
  }

  /** Up to `limit` entries of the tenant after `after` (exclusive), newest first. */
  async page(
    db: Db,
    tenantId: string,
    filter: ProvisioningAuditFilter,
    after: AuditPosition | undefined,
    limit: number,
  ): Promise<ProvisioningAuditRow[]> {
    const params: unknown[] = [tenantId];
    const where = ['tenant_id = $1'];
    const add = (condition: (n: string) => string, value: unknown) => {
      params.push(value);
      where.push(condition(`$${params.length}`));
    };
    if (filter.from) add((n) => `occurred_at >= ${n}`, filter.from);
    if (filter.to) add((n) => `occurred_at < ${n}`, filter.to);
    if (filter.resourceId) add((n) => `resource_id = ${n}`, filter.resourceId.toLowerCase());
    if (filter.userName) add((n) => `lower(user_name) = lower(${n})`, filter.userName);
    if (filter.outcome) add((n) => `outcome = ${n}`, filter.outcome);
    if (filter.operation) add((n) => `operation = ${n}`, filter.operation);
    if (filter.resourceType) add((n) => `resource_type = ${n}`, filter.resourceType);
    if (filter.source) add((n) => `source = ${n}`, filter.source);
    if (after) {
      params.push(after.occurredAt, after.id);
      where.push(`(occurred_at, id) < ($${params.length - 1}, $${params.length}::bigint)`);
    }
    params.push(limit);
    return db.query(
      `SELECT ${COLUMNS} FROM provisioning_audit WHERE ${where.join(' AND ')}
       ORDER BY occurred_at DESC, id DESC LIMIT $${params.length}`,
      params,
    );
  }

  /**
   * Retention: deletes up to `limit` entries that occurred before `before`; answers how many. No
   * ORDER BY: every such entry goes, and unordered the BRIN index finds a batch without sorting.
   */
  async purgeBefore(db: Db, before: Date, limit: number): Promise<number> {
    const [, deleted]: [unknown, number] = await db.query(
      `DELETE FROM provisioning_audit WHERE id IN (
         SELECT id FROM provisioning_audit WHERE occurred_at < $1 LIMIT $2)`,
      [before, limit],
    );
    return deleted;
  }
}
