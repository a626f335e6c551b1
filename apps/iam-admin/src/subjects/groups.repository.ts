import { isUUID } from 'class-validator';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Db, queryPage, returnedRows, RowPage } from '@app/database';
import { Filter, filterToSql, GROUP_TABLE_MAPPING } from '@app/scim';

/** A group of a tenant: `document` is the SCIM Group without its members (those are membership rows). */
export interface GroupRow {
  id: string;
  tenantId: string;
  displayName: string;
  externalId: string | null;
  document: Record<string, unknown>;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/** A group as the operator API lists it: with how many members it has. */
export type CountedGroupRow = GroupRow & { memberCount: number };

/** The groups columns as a GroupRow, spelled once; `table` is the name or alias in the query. */
export const groupColumns = (table = 'groups'): string =>
  `${table}.id, ${table}.tenant_id AS "tenantId", ${table}.display_name AS "displayName",
   ${table}.external_id AS "externalId", ${table}.document, ${table}.version,
   ${table}.created_at AS "createdAt", ${table}.updated_at AS "updatedAt"`;

/** groupColumns and the member count (a read of group_members, which MembershipsRepository owns). */
export const countedGroupColumns = (table = 'groups'): string =>
  `${groupColumns(table)},
   (SELECT count(*)::int FROM group_members m JOIN subjects s ON s.id = m.subject_id
     WHERE m.group_id = ${table}.id AND s.deleted_at IS NULL) AS "memberCount"`;

/** The one owner of the groups table. Every statement is scoped to one tenant. */
@Injectable()
export class GroupsRepository {
  async insert(
    db: Db,
    tenantId: string,
    document: Record<string, unknown>,
    origin: { provider: string | null; source: 'scim' | 'admin' },
  ): Promise<GroupRow> {
    const rows: GroupRow[] = await db.query(
      `INSERT INTO groups (tenant_id, display_name, external_id, document, provider, source)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${groupColumns()}`,
      [tenantId, document.displayName, document.externalId ?? null, document, origin.provider, origin.source],
    );
    return rows[0]!;
  }

  /** The group, locked: membership changes to one group apply one after another. */
  async findForUpdate(em: EntityManager, tenantId: string, id: string): Promise<GroupRow | undefined> {
    if (!isUUID(id)) return undefined;
    const rows: GroupRow[] = await em.query(
      `SELECT ${groupColumns()} FROM groups WHERE tenant_id = $1 AND id = $2 FOR UPDATE`,
      [tenantId, id],
    );
    return rows[0];
  }

  /** Writes the document (null keeps it) and moves version and lastModified on. */
  async touch(db: Db, group: GroupRow, document: Record<string, unknown> | null): Promise<GroupRow> {
    const doc = document ?? group.document;
    const result = await db.query(
      `UPDATE groups SET display_name = $3, external_id = $4, document = $5, version = version + 1, updated_at = now()
        WHERE tenant_id = $1 AND id = $2 RETURNING ${groupColumns()}`,
      [group.tenantId, group.id, doc.displayName, doc.externalId ?? null, doc],
    );
    return returnedRows<GroupRow>(result)[0]!;
  }

  /** Deletes the group (its membership rows go with it: ON DELETE CASCADE). */
  async delete(db: Db, group: GroupRow): Promise<void> {
    await db.query(`DELETE FROM groups WHERE tenant_id = $1 AND id = $2`, [group.tenantId, group.id]);
  }

  async find(db: Db, tenantId: string, id: string): Promise<CountedGroupRow | undefined> {
    if (!isUUID(id)) return undefined;
    const rows: CountedGroupRow[] = await db.query(
      `SELECT ${countedGroupColumns()} FROM groups WHERE tenant_id = $1 AND id = $2`,
      [tenantId, id],
    );
    return rows[0];
  }

  /** Groups by name; a SCIM filter narrows them as the gateway's GET /Groups would (see SubjectsRepository.livePage). */
  page(
    db: Db,
    tenantId: string,
    page: { limit: number; offset: number },
    filter?: Filter,
  ): Promise<RowPage<CountedGroupRow>> {
    const matched = filter ? filterToSql(filter, GROUP_TABLE_MAPPING, 1) : { sql: 'true', params: [] };
    const where = `g.tenant_id = $1 AND ${matched.sql}`;
    return queryPage(
      db,
      `SELECT ${countedGroupColumns('g')} FROM groups g WHERE ${where} ORDER BY g.display_name, g.id`,
      `SELECT count(*)::int AS n FROM groups g WHERE ${where}`,
      [tenantId, ...matched.params],
      page,
    );
  }
}
