import { isUUID } from 'class-validator';
import { Injectable } from '@nestjs/common';
import { Db, queryPage, returnedRows, RowPage } from '@app/database';

/** A folder of a tenant: what SCIM's folders extension names by id or externalId. */
export interface FolderRow {
  id: string;
  tenantId: string;
  displayName: string;
  externalId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export type FolderWrite = Pick<FolderRow, 'displayName' | 'externalId'>;

const COLUMNS = `id, tenant_id AS "tenantId", display_name AS "displayName", external_id AS "externalId",
  created_at AS "createdAt", updated_at AS "updatedAt"`;

/** The one owner of the folders table. Every statement is scoped to one tenant. */
@Injectable()
export class FoldersRepository {
  async insert(db: Db, tenantId: string, folder: FolderWrite): Promise<FolderRow> {
    const rows: FolderRow[] = await db.query(
      `INSERT INTO folders (tenant_id, display_name, external_id) VALUES ($1, $2, $3) RETURNING ${COLUMNS}`,
      [tenantId, folder.displayName, folder.externalId],
    );
    return rows[0]!;
  }

  async find(db: Db, tenantId: string, id: string): Promise<FolderRow | undefined> {
    if (!isUUID(id)) return undefined;
    const rows: FolderRow[] = await db.query(
      `SELECT ${COLUMNS} FROM folders WHERE tenant_id = $1 AND id = $2`,
      [tenantId, id],
    );
    return rows[0];
  }

  page(db: Db, tenantId: string, page: { limit: number; offset: number }): Promise<RowPage<FolderRow>> {
    return queryPage(
      db,
      `SELECT ${COLUMNS} FROM folders WHERE tenant_id = $1 ORDER BY created_at, id`,
      `SELECT count(*)::int AS n FROM folders WHERE tenant_id = $1`,
      [tenantId],
      page,
    );
  }

  /** The tenant's folders with these ids, in creation order. */
  byIds(
    db: Db,
    tenantId: string,
    ids: string[],
    page: { limit: number; offset: number },
  ): Promise<RowPage<FolderRow>> {
    return queryPage(
      db,
      `SELECT ${COLUMNS} FROM folders WHERE tenant_id = $1 AND id = ANY($2::uuid[]) ORDER BY created_at, id`,
      `SELECT count(*)::int AS n FROM folders WHERE tenant_id = $1 AND id = ANY($2::uuid[])`,
      [tenantId, ids],
      page,
    );
  }

  async update(db: Db, tenantId: string, id: string, folder: FolderWrite): Promise<FolderRow | undefined> {
    if (!isUUID(id)) return undefined;
    const result = await db.query(
      `UPDATE folders SET display_name = $3, external_id = $4, updated_at = now()
        WHERE tenant_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
      [tenantId, id, folder.displayName, folder.externalId],
    );
    return returnedRows<FolderRow>(result)[0];
  }

  /** Deletes the folder; its access rows go with it (foreign key cascade). False when there was none. */
  async delete(db: Db, tenantId: string, id: string): Promise<boolean> {
    if (!isUUID(id)) return false;
    const result = await db.query(`DELETE FROM folders WHERE tenant_id = $1 AND id = $2 RETURNING id`, [
      tenantId,
      id,
    ]);
    return returnedRows(result).length > 0;
  }

  /**
   * The folder each value names: a folder id, or else a folder externalId (case-insensitively, as
   * the unique index compares them). Values that name no folder of the tenant are absent. The
   * folders found are share-locked, so a concurrent delete waits until the access rows are written.
   */
  async resolve(db: Db, tenantId: string, values: string[]): Promise<Map<string, string>> {
    if (values.length === 0) return new Map();
    const rows: Array<{ id: string; externalId: string | null }> = await db.query(
      `SELECT id, lower(external_id) AS "externalId" FROM folders
        WHERE tenant_id = $1 AND (id = ANY($2::uuid[]) OR lower(external_id) = ANY($3::text[]))
        FOR SHARE`,
      [tenantId, values.filter((v) => isUUID(v)), values.map((v) => v.toLowerCase())],
    );
    const resolved = new Map<string, string>();
    for (const value of values) {
      const lower = value.toLowerCase();
      const found = rows.find((r) => r.id === lower) ?? rows.find((r) => r.externalId === lower);
      if (found) resolved.set(value, found.id);
    }
    return resolved;
  }
}
