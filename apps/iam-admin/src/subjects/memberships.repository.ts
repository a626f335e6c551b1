import { isUUID } from 'class-validator';
import { Injectable } from '@nestjs/common';
import { Db, queryPage, returnedRows, RowPage } from '@app/database';
import { CountedGroupRow, countedGroupColumns, GroupRow } from './groups.repository';
import { subjectColumns, SubjectRow } from './subjects.repository';

/**
 * The one owner of group_members: membership as rows, so a change is an insert or a delete of the
 * delta, never a rewrite of the whole list. Every write returns the subjects it changed, so the
 * caller records one event per changed membership.
 */
@Injectable()
export class MembershipsRepository {
  /**
   * One statement for the whole batch; re-adding a member is a no-op. Returns the new members.
   * Only live subjects are added, each share-locked: a subject being deprovisioned at the same
   * moment holds its row lock, so this waits for that commit, sees the subject deleted and skips
   * it — a membership can never outlive its subject's deprovisioning.
   */
  async add(db: Db, group: GroupRow, subjectIds: string[]): Promise<string[]> {
    if (subjectIds.length === 0) return [];
    const rows: Array<{ subject_id: string }> = await db.query(
      `INSERT INTO group_members (group_id, subject_id, tenant_id)
       SELECT $1, live.id, $2 FROM (
         SELECT s.id FROM subjects s
          WHERE s.tenant_id = $2 AND s.id = ANY($3::uuid[]) AND s.deleted_at IS NULL
          ORDER BY s.id FOR SHARE) live
       ON CONFLICT DO NOTHING RETURNING subject_id`,
      [group.id, group.tenantId, subjectIds],
    );
    return rows.map((r) => r.subject_id);
  }

  /** Removes just the listed members; ids that are not members are a no-op. Returns those removed. */
  remove(db: Db, group: GroupRow, subjectIds: string[]): Promise<string[]> {
    const valid = subjectIds.filter((id) => isUUID(id));
    if (valid.length === 0) return Promise.resolve([]);
    return this.deleteWhere(db, `group_id = $1 AND subject_id = ANY($2::uuid[])`, [group.id, valid]);
  }

  /** Removes every member not listed. Returns those removed. */
  removeAllBut(db: Db, group: GroupRow, keptSubjectIds: string[]): Promise<string[]> {
    return this.deleteWhere(db, `group_id = $1 AND NOT (subject_id = ANY($2::uuid[]))`, [
      group.id,
      keptSubjectIds,
    ]);
  }

  removeAll(db: Db, group: GroupRow): Promise<string[]> {
    return this.deleteWhere(db, `group_id = $1`, [group.id]);
  }

  /** Ends every membership of a subject; returns the groups it was in. */
  async removeSubjectEverywhere(
    db: Db,
    subject: { id: string; tenantId: string },
  ): Promise<Array<{ id: string; displayName: string }>> {
    return returnedRows<{ id: string; displayName: string }>(
      await db.query(
        `DELETE FROM group_members m USING groups g
          WHERE m.tenant_id = $1 AND m.subject_id = $2 AND g.id = m.group_id
          RETURNING g.id, g.display_name AS "displayName"`,
        [subject.tenantId, subject.id],
      ),
    );
  }

  /** A group's members, in the order they joined. */
  membersOf(
    db: Db,
    tenantId: string,
    groupId: string,
    page: { limit: number; offset: number },
  ): Promise<RowPage<SubjectRow>> {
    return queryPage(
      db,
      `SELECT ${subjectColumns('s')} FROM group_members m JOIN subjects s ON s.id = m.subject_id
        WHERE m.tenant_id = $1 AND m.group_id = $2 AND s.deleted_at IS NULL ORDER BY m.created_at, s.id`,
      `SELECT count(*)::int AS n FROM group_members m JOIN subjects s ON s.id = m.subject_id
        WHERE m.tenant_id = $1 AND m.group_id = $2 AND s.deleted_at IS NULL`,
      [tenantId, groupId],
      page,
    );
  }

  /** The groups a subject is in, by name. */
  groupsOf(
    db: Db,
    tenantId: string,
    subjectId: string,
    page: { limit: number; offset: number },
  ): Promise<RowPage<CountedGroupRow>> {
    return queryPage(
      db,
      `SELECT ${countedGroupColumns('g')} FROM group_members gm JOIN groups g ON g.id = gm.group_id
        WHERE gm.tenant_id = $1 AND gm.subject_id = $2 ORDER BY g.display_name, g.id`,
      `SELECT count(*)::int AS n FROM group_members gm WHERE gm.tenant_id = $1 AND gm.subject_id = $2`,
      [tenantId, subjectId],
      page,
    );
  }

  private async deleteWhere(db: Db, where: string, params: unknown[]): Promise<string[]> {
    const result = await db.query(`DELETE FROM group_members WHERE ${where} RETURNING subject_id`, params);
    return returnedRows<{ subject_id: string }>(result).map((r) => r.subject_id);
  }
}
