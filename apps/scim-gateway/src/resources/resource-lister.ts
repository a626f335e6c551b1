import { isUUID } from 'class-validator';
import { DataSource } from 'typeorm';
import { ResourceSnapshot } from '@app/contracts';
import { Filter, filterToSql, Paging, sortExpression, SqlMapping } from '@app/scim';

/** How one resource type's rows are read: table, alias, and the condition that hides tombstones. */
export interface ResourceTable {
  /** e.g. `subjects s` */
  from: string;
  alias: string;
  /** extra condition every query carries (e.g. `s.deleted_at IS NULL`), or '' */
  live: string;
  mapping: SqlMapping;
  /** A correlated subquery read in the same round trip when the response needs it (a User's groups). */
  related?: string;
}

/** A resource row, with its related rows (JSON) when they were asked for. */
export type Row = ResourceSnapshot & { related?: Array<Record<string, string>> };

export interface ResourceQuery {
  filter?: Filter;
  sortBy?: string;
  descending: boolean;
  paging: Paging;
}

/** Read-only SQL for SCIM reads of one resource type, always scoped to a tenant. */
export class ResourceLister {
  private readonly snapshot: string;
  private readonly scope: string;

  constructor(
    private readonly dataSource: DataSource,
    private readonly table: ResourceTable,
  ) {
    const a = table.alias;
    this.snapshot = `${a}.id, ${a}.document, ${a}.version, ${a}.created_at AS "createdAt", ${a}.updated_at AS "updatedAt"`;
    this.scope = `${a}.tenant_id = $1${table.live ? ` AND ${table.live}` : ''}`;
  }

  async findById(tenantId: string, id: string, withRelated = false): Promise<Row | undefined> {
    if (!isUUID(id)) return undefined;
    const rows: Row[] = await this.dataSource.query(
      `SELECT ${this.columns(withRelated)} FROM ${this.table.from} WHERE ${this.scope} AND ${this.table.alias}.id = $2`,
      [tenantId, id],
    );
    return rows[0];
  }

  /** The snapshot columns, plus the `related` column (e.g. a User's groups) in the same query when asked. */
  private columns(withRelated: boolean): string {
    return withRelated && this.table.related
      ? `${this.snapshot}, ${this.table.related} AS related`
      : this.snapshot;
  }

  async list(
    tenantId: string,
    query: ResourceQuery,
    withRelated = false,
  ): Promise<{ total: number; resources: Row[] }> {
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
    const rows: Array<Row & { total: string }> = await this.dataSource.query(
      `SELECT ${this.columns(withRelated)}, count(*) OVER () AS total FROM ${this.table.from} WHERE ${where}
        ORDER BY ${order} LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, query.paging.count, query.paging.startIndex - 1],
    );
    // A page past the end has no rows to carry the window count.
    const total = rows.length > 0 ? Number(rows[0]!.total) : query.paging.startIndex > 1 ? await count() : 0;
    return { total, resources: rows.map(({ total: _total, ...resource }) => resource) };
  }
}
