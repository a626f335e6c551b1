import { isUUID } from 'class-validator';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { returnedRows } from '@app/database';
import { invalidValue } from '@app/scim';

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

const RETURNING = `id, tenant_id AS "tenantId", display_name AS "displayName", external_id AS "externalId",
  document, version, created_at AS "createdAt", updated_at AS "updatedAt"`;

/** SQL for groups and their membership rows, always tenant-scoped, inside the caller's transaction. */
@Injectable()
export class GroupsRepository {
  async insert(
    em: EntityManager,
    tenantId: string,
    document: Record<string, unknown>,
    origin: { provider: string | null; source: 'scim' | 'admin' },
  ): Promise<GroupRow> {
    const rows: GroupRow[] = await em.query(
      `INSERT INTO groups (tenant_id, display_name, external_id, document, provider, source)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${RETURNING}`,
      [tenantId, document.displayName, document.externalId ?? null, document, origin.provider, origin.source],
    );
    return rows[0]!;
  }

  /** The group, locked: membership changes to one group apply one after another. */
  async findForUpdate(em: EntityManager, tenantId: string, id: string): Promise<GroupRow | undefined> {
    if (!isUUID(id)) return undefined;
    const rows: GroupRow[] = await em.query(
      `SELECT ${RETURNING} FROM groups WHERE tenant_id = $1 AND id = $2 FOR UPDATE`,
      [tenantId, id],
    );
    return rows[0];
  }

  /** Writes the document (null keeps it) and moves version and lastModified on. */
  async touch(
    em: EntityManager,
    group: GroupRow,
    document: Record<string, unknown> | null,
  ): Promise<GroupRow> {
    const doc = document ?? group.document;
    const result = await em.query(
      `UPDATE groups SET display_name = $3, external_id = $4, document = $5, version = version + 1, updated_at = now()
        WHERE tenant_id = $1 AND id = $2 RETURNING ${RETURNING}`,
      [group.tenantId, group.id, doc.displayName, doc.externalId ?? null, doc],
    );
    return returnedRows<GroupRow>(result)[0]!;
  }

  /** Deletes the group; returns the subjects that were its members. */
  async delete(em: EntityManager, group: GroupRow): Promise<string[]> {
    const members = await this.removeAllMembers(em, group);
    await em.query(`DELETE FROM groups WHERE tenant_id = $1 AND id = $2`, [group.tenantId, group.id]);
    return members;
  }

  /**
   * Adds members; existing ones are left alone. Ids that are not live subjects of the tenant are
   * refused, by name. Returns the subjects that became members.
   */
  async addMembers(em: EntityManager, group: GroupRow, ids: string[]): Promise<string[]> {
    const unique = await this.requireSubjects(em, group.tenantId, ids);
    return this.insertMembers(em, group, unique);
  }

  /** Removes just the listed members; ids that are not members are a no-op. Returns those removed. */
  async removeMembers(em: EntityManager, group: GroupRow, ids: string[]): Promise<string[]> {
    const valid = ids.filter((id) => isUUID(id));
    if (valid.length === 0) return [];
    return this.deleteMembers(em, `group_id = $1 AND subject_id = ANY($2::uuid[])`, [group.id, valid]);
  }

  async replaceMembers(
    em: EntityManager,
    group: GroupRow,
    ids: string[],
  ): Promise<{ added: string[]; removed: string[] }> {
    const unique = await this.requireSubjects(em, group.tenantId, ids);
    const removed = await this.deleteMembers(em, `group_id = $1 AND NOT (subject_id = ANY($2::uuid[]))`, [
      group.id,
      unique,
    ]);
    return { added: await this.insertMembers(em, group, unique), removed };
  }

  /** One statement for the whole batch; re-adding a member is a no-op. Returns the new members. */
  private async insertMembers(em: EntityManager, group: GroupRow, ids: string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows: Array<{ subject_id: string }> = await em.query(
      `INSERT INTO group_members (group_id, subject_id, tenant_id)
       SELECT $1, s, $2 FROM unnest($3::uuid[]) s ON CONFLICT DO NOTHING RETURNING subject_id`,
      [group.id, group.tenantId, ids],
    );
    return rows.map((r) => r.subject_id);
  }

  async removeAllMembers(em: EntityManager, group: GroupRow): Promise<string[]> {
    return this.deleteMembers(em, `group_id = $1`, [group.id]);
  }

  private async deleteMembers(em: EntityManager, where: string, params: unknown[]): Promise<string[]> {
    const result = await em.query(`DELETE FROM group_members WHERE ${where} RETURNING subject_id`, params);
    return returnedRows<{ subject_id: string }>(result).map((r) => r.subject_id);
  }

  private async requireSubjects(em: EntityManager, tenantId: string, ids: string[]): Promise<string[]> {
    const unique = [...new Set(ids.map((id) => id.toLowerCase()))];
    const candidates = unique.filter((id) => isUUID(id));
    const found: Array<{ id: string }> = candidates.length
      ? await em.query(
          `SELECT id FROM subjects WHERE tenant_id = $1 AND deleted_at IS NULL AND id = ANY($2::uuid[])`,
          [tenantId, candidates],
        )
      : [];
    const known = new Set(found.map((r) => r.id));
    const missing = unique.filter((id) => !known.has(id));
    if (missing.length > 0) {
      const shown =
        missing.slice(0, 10).join(', ') + (missing.length > 10 ? ` and ${missing.length - 10} more` : '');
      throw invalidValue(`members must be Users of this tenant; unknown: ${shown}`);
    }
    return unique;
  }
}
