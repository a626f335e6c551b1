import { isUUID } from 'class-validator';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { GroupResponseDto, Page, SubjectResponseDto } from './directory.dto';

const SUBJECT = `s.id, s.user_name AS "userName", s.external_id AS "externalId", s.display_name AS "displayName",
  s.active, s.provider, s.source, s.created_at AS "createdAt", s.updated_at AS "updatedAt"`;
const GROUP = `g.id, g.display_name AS "displayName", g.external_id AS "externalId",
  (SELECT count(*)::int FROM group_members m WHERE m.group_id = g.id) AS "memberCount",
  g.created_at AS "createdAt", g.updated_at AS "updatedAt"`;

/** Read-only SQL over subjects, groups and memberships, every query scoped to one tenant. */
@Injectable()
export class DirectoryRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  subjects(tenantId: string, limit: number, offset: number): Promise<Page<SubjectResponseDto>> {
    return this.page(
      `SELECT ${SUBJECT} FROM subjects s WHERE s.tenant_id = $1 AND s.deleted_at IS NULL ORDER BY s.created_at, s.id`,
      `SELECT count(*)::int AS n FROM subjects s WHERE s.tenant_id = $1 AND s.deleted_at IS NULL`,
      [tenantId],
      limit,
      offset,
    );
  }

  async subject(tenantId: string, id: string): Promise<SubjectResponseDto | undefined> {
    if (!isUUID(id)) return undefined;
    const rows = await this.dataSource.query(
      `SELECT ${SUBJECT} FROM subjects s WHERE s.tenant_id = $1 AND s.id = $2 AND s.deleted_at IS NULL`,
      [tenantId, id],
    );
    return rows[0];
  }

  groupsOfSubject(
    tenantId: string,
    subjectId: string,
    limit: number,
    offset: number,
  ): Promise<Page<GroupResponseDto>> {
    return this.page(
      `SELECT ${GROUP} FROM group_members gm JOIN groups g ON g.id = gm.group_id WHERE gm.tenant_id = $1 AND gm.subject_id = $2 ORDER BY g.display_name, g.id`,
      `SELECT count(*)::int AS n FROM group_members gm WHERE gm.tenant_id = $1 AND gm.subject_id = $2`,
      [tenantId, subjectId],
      limit,
      offset,
    );
  }

  groups(tenantId: string, limit: number, offset: number): Promise<Page<GroupResponseDto>> {
    return this.page(
      `SELECT ${GROUP} FROM groups g WHERE g.tenant_id = $1 ORDER BY g.display_name, g.id`,
      `SELECT count(*)::int AS n FROM groups g WHERE g.tenant_id = $1`,
      [tenantId],
      limit,
      offset,
    );
  }

  async group(tenantId: string, id: string): Promise<GroupResponseDto | undefined> {
    if (!isUUID(id)) return undefined;
    const rows = await this.dataSource.query(
      `SELECT ${GROUP} FROM groups g WHERE g.tenant_id = $1 AND g.id = $2`,
      [tenantId, id],
    );
    return rows[0];
  }

  members(
    tenantId: string,
    groupId: string,
    limit: number,
    offset: number,
  ): Promise<Page<SubjectResponseDto>> {
    return this.page(
      `SELECT ${SUBJECT} FROM group_members m JOIN subjects s ON s.id = m.subject_id WHERE m.tenant_id = $1 AND m.group_id = $2 ORDER BY m.created_at, s.id`,
      `SELECT count(*)::int AS n FROM group_members m WHERE m.tenant_id = $1 AND m.group_id = $2`,
      [tenantId, groupId],
      limit,
      offset,
    );
  }

  private async page<T>(
    select: string,
    count: string,
    params: unknown[],
    limit: number,
    offset: number,
  ): Promise<Page<T>> {
    const n = params.length;
    const [items, totals] = await Promise.all([
      this.dataSource.query(`${select} LIMIT $${n + 1} OFFSET $${n + 2}`, [...params, limit, offset]),
      this.dataSource.query(count, params),
    ]);
    return { total: totals[0].n, limit, offset, items };
  }
}
