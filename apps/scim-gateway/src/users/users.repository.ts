import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ResourceSnapshot } from '@app/contracts';
import { Filter, filterToSql, Paging, sortExpression, SqlMapping, USER_RESOURCE_TYPE } from '@app/scim';

/** Where SCIM User attributes live in the subjects table (the indexed ones are columns). */
export const USER_SQL: SqlMapping = {
  resourceType: USER_RESOURCE_TYPE,
  document: 's.document',
  columns: {
    id: { sql: 's.id', type: 'uuid' },
    userName: { sql: 's.user_name', type: 'text' },
    externalId: { sql: 's.external_id', type: 'text' },
    displayName: { sql: 's.display_name', type: 'text' },
    active: { sql: 's.active', type: 'boolean' },
    'meta.created': { sql: 's.created_at', type: 'timestamptz' },
    'meta.lastModified': { sql: 's.updated_at', type: 'timestamptz' },
  },
};

const SNAPSHOT = `s.id, s.document, s.version, s.created_at AS "createdAt", s.updated_at AS "updatedAt"`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface UserQuery {
  filter?: Filter;
  sortBy?: string;
  descending: boolean;
  paging: Paging;
}

/** Read-only SQL over live subjects (tombstones are invisible to SCIM), always scoped to a tenant. */
@Injectable()
export class UsersRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async findById(tenantId: string, id: string): Promise<ResourceSnapshot | undefined> {
    if (!UUID.test(id)) return undefined;
    const rows: ResourceSnapshot[] = await this.dataSource.query(
      `SELECT ${SNAPSHOT} FROM subjects s WHERE s.tenant_id = $1 AND s.id = $2 AND s.deleted_at IS NULL`,
      [tenantId, id],
    );
    return rows[0];
  }

  async list(tenantId: string, query: UserQuery): Promise<{ total: number; subjects: ResourceSnapshot[] }> {
    const params: unknown[] = [tenantId];
    let where = 's.tenant_id = $1 AND s.deleted_at IS NULL';
    if (query.filter) {
      const fragment = filterToSql(query.filter, USER_SQL, params.length);
      where += ` AND ${fragment.sql}`;
      params.push(...fragment.params);
    }
    const count = async () =>
      Number(
        (await this.dataSource.query(`SELECT count(*) AS n FROM subjects s WHERE ${where}`, params))[0].n,
      );
    if (query.paging.count === 0) return { total: await count(), subjects: [] };

    const direction = query.descending ? 'DESC' : 'ASC';
    const order = query.sortBy
      ? `${sortExpression(query.sortBy, USER_SQL)} ${direction} NULLS LAST, s.created_at, s.id`
      : 's.created_at, s.id';
    const rows: Array<ResourceSnapshot & { total: string }> = await this.dataSource.query(
      `SELECT ${SNAPSHOT}, count(*) OVER () AS total FROM subjects s WHERE ${where}
        ORDER BY ${order} LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, query.paging.count, query.paging.startIndex - 1],
    );
    // A page past the end has no rows to carry the window count.
    const total = rows.length > 0 ? Number(rows[0]!.total) : query.paging.startIndex > 1 ? await count() : 0;
    return { total, subjects: rows.map(({ total: _total, ...subject }) => subject) };
  }
}
