import { Inject } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { DataSource } from 'typeorm';
import { ResourceSnapshot } from '@app/contracts';
import { Filter, filterToSql, Paging, resolveAttribute, sortExpression, SqlMapping } from '@app/scim';
import { TenantReadGate } from './tenant-read-gate';

/** Where one resource type's rows live, for the shared read SQL below. */
export interface ResourceTable {
  /** e.g. `subjects s` */
  from: string;
  alias: string;
  /** extra condition every query carries (e.g. `s.deleted_at IS NULL`), or '' */
  live: string;
  /** Where each SCIM attribute is, for filters and sortBy. */
  mapping: SqlMapping;
  /**
   * The type's multi-valued attribute kept in other rows (a User's groups, a Group's members): a
   * correlated subquery yielding a JSON array of `{value, display}`. It is read in the same query
   * as the resource, and only when the answer includes the attribute.
   */
  related: string;
  /**
   * At most this many related values are shown (the `related` subquery must select one more, so
   * that a longer list is known to be cut); absent: all of them.
   */
  relatedLimit?: number;
  /**
   * Attributes (canonical names) whose `eq` an index answers with at most a few rows: a filter with
   * one of them, alone or AND-ed, is read through that index whatever the planner's statistics say.
   */
  indexedEquality: readonly string[];
}

/** One value of the related attribute: the other row's id and its display name. */
export interface RelatedValue {
  value: string;
  display: string;
}

/**
 * A resource row, with its related values when they were asked for; `relatedTruncated` when there
 * are more than the table's relatedLimit (the first ones are shown).
 */
export type ResourceRow = ResourceSnapshot & { related?: RelatedValue[]; relatedTruncated?: boolean };

export interface ResourceQuery {
  filter?: Filter;
  sortBy?: string;
  descending: boolean;
  paging: Paging;
}

/**
 * Read-only SQL for SCIM reads of one resource type, always scoped to a tenant. Each resource
 * type's repository extends it with its table; IAM owns the tables and every write to them.
 */
export abstract class ScimResourceRepository {
  private readonly snapshot: string;
  private readonly scope: string;
  /**
   * The scope for reads by an indexed equality, its live condition wrapped in `IS TRUE` (the same
   * rows): PostgreSQL then cannot use the partial `… WHERE deleted_at IS NULL` indexes, which all
   * look alike without statistics (it estimates 0.5 % of rows live), so it walked the tenant in
   * (tenant_id, created_at, id) order; only the equality's own non-partial index is left.
   */
  private readonly narrowScope: string;
  // Property injection keeps each resource type's constructor to its table.
  @Inject(TenantReadGate) private readonly gate!: TenantReadGate;

  protected constructor(
    private readonly dataSource: DataSource,
    private readonly table: ResourceTable,
  ) {
    const a = table.alias;
    this.snapshot = `${a}.id, ${a}.document, ${a}.version, ${a}.created_at AS "createdAt", ${a}.updated_at AS "updatedAt"`;
    this.scope = `${a}.tenant_id = $1${table.live ? ` AND ${table.live}` : ''}`;
    this.narrowScope = `${a}.tenant_id = $1${table.live ? ` AND (${table.live}) IS TRUE` : ''}`;
  }

  async findById(tenantId: string, id: string, withRelated: boolean): Promise<ResourceRow | undefined> {
    if (!isUUID(id)) return undefined;
    const rows: ResourceRow[] = await this.gate.run(tenantId, () =>
      this.dataSource.query(
        `SELECT ${this.columns(withRelated)} FROM ${this.table.from} WHERE ${this.narrowScope} AND ${this.table.alias}.id = $2`,
        [tenantId, id],
      ),
    );
    return rows[0] && this.capped(rows[0]);
  }

  async list(
    tenantId: string,
    query: ResourceQuery,
    withRelated: boolean,
  ): Promise<{ total: number; resources: ResourceRow[] }> {
    return this.gate.run(tenantId, () => this.listRows(tenantId, query, withRelated));
  }

  private async listRows(
    tenantId: string,
    query: ResourceQuery,
    withRelated: boolean,
  ): Promise<{ total: number; resources: ResourceRow[] }> {
    const a = this.table.alias;
    const params: unknown[] = [tenantId];
    const narrowed = this.narrowedByIndex(query.filter);
    let where = narrowed ? this.narrowScope : this.scope;
    if (query.filter) {
      const fragment = filterToSql(query.filter, this.table.mapping, params.length);
      where += ` AND ${fragment.sql}`;
      params.push(...fragment.params);
    }
    const count = async () =>
      Number(
        (
          await this.dataSource.query(`SELECT count(*) AS n FROM ${this.table.from} WHERE ${where}`, params)
        )[0].n,
      );
    if (query.paging.count === 0) return { total: await count(), resources: [] };

    const direction = query.descending ? 'DESC' : 'ASC';
    const stable = `${a}.created_at, ${a}.id`;
    const order = query.sortBy
      ? `${sortExpression(query.sortBy, this.table.mapping)} ${direction} NULLS LAST, ${stable}`
      : stable;
    // Without statistics (a new tenant's rows, autovacuum late or off) PostgreSQL may walk the
    // (tenant_id, created_at, id) index for the ORDER BY and filter every row of the tenant. A
    // materialized CTE cannot be reordered: the equality's index finds the few matches, which are
    // then sorted. Other filters keep the plain query, where walking in order can be right.
    const [matched, rowsFrom] = narrowed
      ? [
          `WITH matched AS MATERIALIZED (SELECT ${a}.* FROM ${this.table.from} WHERE ${where})`,
          `matched ${a}`,
        ]
      : ['', `${this.table.from} WHERE ${where}`];
    const rows: Array<ResourceRow & { total: string }> = await this.dataSource.query(
      `${matched} SELECT ${this.columns(withRelated)}, count(*) OVER () AS total FROM ${rowsFrom}
        ORDER BY ${order} LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, query.paging.count, query.paging.startIndex - 1],
    );
    // A page past the end has no rows to carry the window count.
    const total = rows.length > 0 ? Number(rows[0]!.total) : query.paging.startIndex > 1 ? await count() : 0;
    return { total, resources: rows.map(({ total: _total, ...resource }) => this.capped(resource)) };
  }

  /** Whether the filter is, or AND-s in, an `eq` on one of the table's indexedEquality attributes. */
  private narrowedByIndex(filter: Filter | undefined): boolean {
    if (!filter) return false;
    if (filter.kind === 'and') return this.narrowedByIndex(filter.left) || this.narrowedByIndex(filter.right);
    if (filter.kind !== 'compare' || filter.op !== 'eq' || filter.value === null) return false;
    const resolved = resolveAttribute(this.table.mapping.resourceType, filter.attrPath);
    return (
      resolved !== undefined &&
      resolved.urn === undefined &&
      resolved.sub === undefined &&
      this.table.indexedEquality.includes(resolved.definition.name)
    );
  }

  /** Cuts the related values to the table's limit, saying so. */
  private capped(row: ResourceRow): ResourceRow {
    const limit = this.table.relatedLimit;
    if (limit === undefined || row.related === undefined || row.related.length <= limit) return row;
    return { ...row, related: row.related.slice(0, limit), relatedTruncated: true };
  }

  /** The snapshot columns, plus the `related` column in the same query when asked. */
  private columns(withRelated: boolean): string {
    return withRelated ? `${this.snapshot}, ${this.table.related} AS related` : this.snapshot;
  }
}
