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
}

export interface ResourceQuery {
  filter?: Filter;
  sortBy?: string;
  descending: boolean;
  paging: Paging;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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

  async findById(tenantId: string, id: string): Promise<ResourceSnapshot | undefined> {
    if (!UUID.test(id)) return undefined;
    const rows: ResourceSnapshot[] = await this.dataSource.query(
      `SELECT ${this.snapshot} FROM ${this.table.from} WHERE ${this.scope} AND ${this.table.alias}.id = $2`,
      [tenantId, id],
    );
    return rows[0];
  }

  async list(
    tenantId: string,
    query: ResourceQuery,
  ): Promise<{ total: number; resources: ResourceSnapshot[] }> {
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
    const rows: Array<ResourceSnapshot & { total: string }> = await this.dataSource.query(
      `SELECT ${this.snapshot}, count(*) OVER () AS total FROM ${this.table.from} WHERE ${where}
        ORDER BY ${order} LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, query.paging.count, query.paging.startIndex - 1],
    );
    // A page past the end has no rows to carry the window count.
    const total = rows.length > 0 ? Number(rows[0]!.total) : query.paging.startIndex > 1 ? await count() : 0;
    return { total, resources: rows.map(({ total: _total, ...resource }) => resource) };
  }
}
