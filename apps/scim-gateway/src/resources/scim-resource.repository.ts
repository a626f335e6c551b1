import { Inject } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { DataSource } from 'typeorm';
import { ResourceSnapshot } from '@app/contracts';
import { Filter, filterToSql, Paging, sortExpression, SqlMapping } from '@app/scim';
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
  // Property injection keeps each resource type's constructor to its table.
  @Inject(TenantReadGate) private readonly gate!: TenantReadGate;

  protected constructor(
    private readonly dataSource: DataSource,
    private readonly table: ResourceTable,
  ) {
    const a = table.alias;
    this.snapshot = `${a}.id, ${a}.document, ${a}.version, ${a}.created_at AS "createdAt", ${a}.updated_at AS "updatedAt"`;
    this.scope = `${a}.tenant_id = $1${table.live ? ` AND ${table.live}` : ''}`;
  }

  async findById(tenantId: string, id: string, withRelated: boolean): Promise<ResourceRow | undefined> {
    if (!isUUID(id)) return undefined;
    const rows: ResourceRow[] = await this.gate.run(tenantId, () =>
      this.dataSource.query(
        `SELECT ${this.columns(withRelated)} FROM ${this.table.from} WHERE ${this.scope} AND ${this.table.alias}.id = $2`,
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
    let where = this.scope;
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
    const rows: Array<ResourceRow & { total: string }> = await this.dataSource.query(
      `SELECT ${this.columns(withRelated)}, count(*) OVER () AS total FROM ${this.table.from} WHERE ${where}
        ORDER BY ${order} LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, query.paging.count, query.paging.startIndex - 1],
    );
    // A page past the end has no rows to carry the window count.
    const total = rows.length > 0 ? Number(rows[0]!.total) : query.paging.startIndex > 1 ? await count() : 0;
    return { total, resources: rows.map(({ total: _total, ...resource }) => this.capped(resource)) };
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
