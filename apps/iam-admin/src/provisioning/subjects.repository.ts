import { isUUID } from 'class-validator';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { returnedRows, SubjectEntity } from '@app/database';

/** Columns copied out of the SCIM document for indexes and filters. */
export interface SubjectColumns {
  userName: string;
  externalId: string | null;
  displayName: string | null;
  active: boolean;
  document: Record<string, unknown>;
}

/** SQL for subjects, always scoped to one tenant, always inside the caller's transaction. */
@Injectable()
export class SubjectsRepository {
  async insert(
    em: EntityManager,
    tenantId: string,
    columns: SubjectColumns,
    origin: { provider: string | null; source: SubjectEntity['source'] },
  ): Promise<SubjectEntity> {
    const rows: SubjectEntity[] = await em.query(
      `INSERT INTO subjects (tenant_id, user_name, external_id, display_name, active, document, provider, source, version)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1)
       RETURNING ${RETURNING}`,
      [
        tenantId,
        columns.userName,
        columns.externalId,
        columns.displayName,
        columns.active,
        columns.document,
        origin.provider,
        origin.source,
      ],
    );
    return rows[0]!;
  }

  /** The live subject, locked until the transaction ends so concurrent commands cannot lose updates. */
  async findForUpdate(em: EntityManager, tenantId: string, id: string): Promise<SubjectEntity | undefined> {
    if (!isUUID(id)) return undefined;
    const rows: SubjectEntity[] = await em.query(
      `SELECT ${RETURNING} FROM subjects WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL FOR UPDATE`,
      [tenantId, id],
    );
    return rows[0];
  }

  async update(em: EntityManager, subject: SubjectEntity, columns: SubjectColumns): Promise<SubjectEntity> {
    const result = await em.query(
      `UPDATE subjects SET user_name = $3, external_id = $4, display_name = $5, active = $6, document = $7,
         version = version + 1, updated_at = now()
       WHERE tenant_id = $1 AND id = $2 RETURNING ${RETURNING}`,
      [
        subject.tenantId,
        subject.id,
        columns.userName,
        columns.externalId,
        columns.displayName,
        columns.active,
        columns.document,
      ],
    );
    return returnedRows<SubjectEntity>(result)[0]!;
  }

  /** Deprovisioning keeps the row as a tombstone for audit; its memberships go (their groups are returned). */
  async markDeleted(
    em: EntityManager,
    subject: SubjectEntity,
  ): Promise<Array<{ id: string; displayName: string }>> {
    const removed = returnedRows<{ id: string; displayName: string }>(
      await em.query(
        `DELETE FROM group_members m USING groups g WHERE m.subject_id = $1 AND g.id = m.group_id
         RETURNING g.id, g.display_name AS "displayName"`,
        [subject.id],
      ),
    );
    await em.query(
      `UPDATE subjects SET deleted_at = now(), active = false, version = version + 1, updated_at = now()
       WHERE tenant_id = $1 AND id = $2`,
      [subject.tenantId, subject.id],
    );
    return removed;
  }
}

const RETURNING = `id, tenant_id AS "tenantId", user_name AS "userName", external_id AS "externalId",
  display_name AS "displayName", active, document, provider, source, version,
  created_at AS "createdAt", updated_at AS "updatedAt", deleted_at AS "deletedAt"`;
