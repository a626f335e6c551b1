import { Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { Db, jsonbParam } from '@app/database';
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

/**
 * Entries arrive as one JSON array (one statement for a whole group-commit batch). A missing
 * userName is read from the resource's row inside the INSERT (a deprovisioned subject keeps its
 * row); `resource_uuid` is the resource id when it is a UUID, else null.
 */
const INSERT = `INSERT INTO provisioning_audit (tenant_id, occurred_at, source, scim_token_id, provider, actor,
  command_id, operation, resource_type, resource_id, changed_attributes, decisions, outcome, status, scim_type,
  message, duration_ms, user_name)
  SELECT x.tenant_id, x.occurred_at, x.source, x.scim_token_id, x.provider, x.actor, x.command_id, x.operation,
    x.resource_type, x.resource_id, x.changed_attributes, x.decisions, x.outcome, x.status, x.scim_type, x.message,
    x.duration_ms,
    COALESCE(x.user_name, CASE x.resource_type
      WHEN 'User' THEN (SELECT user_name FROM subjects WHERE tenant_id = x.tenant_id AND id = x.resource_uuid)
      WHEN 'Group' THEN (SELECT display_name FROM groups WHERE tenant_id = x.tenant_id AND id = x.resource_uuid)
    END)
  FROM jsonb_to_recordset($1::jsonb) AS x(ord int, tenant_id uuid, occurred_at timestamptz, source text, scim_token_id uuid,
    provider text, actor text, command_id uuid, operation text, resource_type text, resource_id text,
    resource_uuid uuid, changed_attributes text[], decisions text[], outcome text, status smallint, scim_type text,
    message text, duration_ms int, user_name text)
  ORDER BY x.ord`;

/** Owns provisioning_audit: append-only, one row per provisioning command. */
@Injectable()
export class ProvisioningAuditRepository {
  /** One statement for any number of entries: on the success path it runs inside the commands' own transaction. */
  async insert(db: Db, ...entries: ProvisioningAuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const rows = entries.map((entry, ord) => {
      const resourceId = entry.resourceId?.toLowerCase() ?? null;
      return {
        ord,
        tenant_id: entry.tenantId,
        occurred_at: entry.occurredAt ?? new Date(),
        source: entry.source,
        scim_token_id: entry.scimTokenId ?? null,
        provider: entry.provider ?? null,
        actor: entry.actor ?? null,
        command_id: entry.commandId ?? null,
        operation: entry.operation,
        resource_type: entry.resourceType,
        resource_id: resourceId,
        resource_uuid: resourceId !== null && isUUID(resourceId) ? resourceId : null,
        changed_attributes: entry.changedAttributes ?? [],
        decisions: entry.decisions ?? [],
        outcome: entry.outcome,
        status: entry.status,
        scim_type: entry.scimType ?? null,
        message: entry.message ?? null,
        duration_ms: Math.max(0, Math.round(entry.durationMs)),
        user_name: entry.userName ?? null,
      };
    });
    await db.query(INSERT, [jsonbParam(rows)]);
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
    // The table's bigint id, not the output column `id` (text: "9" would sort after "10").
    return db.query(
      `SELECT ${COLUMNS} FROM provisioning_audit WHERE ${where.join(' AND ')}
       ORDER BY occurred_at DESC, provisioning_audit.id DESC LIMIT $${params.length}`,
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
