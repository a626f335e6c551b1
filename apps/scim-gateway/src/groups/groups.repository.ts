import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { GROUP_RESOURCE_TYPE, SqlMapping } from '@app/scim';
import { ResourceLister } from '../resources/resource-lister';

/** Where SCIM Group attributes live: columns, the document, and members as rows of group_members. */
export const GROUP_SQL: SqlMapping = {
  resourceType: GROUP_RESOURCE_TYPE,
  document: 'g.document',
  columns: {
    id: { sql: 'g.id', type: 'uuid' },
    displayName: { sql: 'g.display_name', type: 'text' },
    externalId: { sql: 'g.external_id', type: 'text' },
    'meta.created': { sql: 'g.created_at', type: 'timestamptz' },
    'meta.lastModified': { sql: 'g.updated_at', type: 'timestamptz' },
  },
  relations: {
    members: {
      from: 'group_members m',
      where: 'm.group_id = g.id',
      columns: { value: { sql: 'm.subject_id', type: 'uuid' } },
    },
  },
};

export interface MemberRow {
  group_id: string;
  subject_id: string;
  display: string;
}

@Injectable()
export class GroupsRepository extends ResourceLister {
  constructor(@InjectDataSource() private readonly db: DataSource) {
    super(db, { from: 'groups g', alias: 'g', live: '', mapping: GROUP_SQL });
  }

  /** Members of the given groups (only read when the response includes members). */
  async membersOf(tenantId: string, groupIds: string[]): Promise<MemberRow[]> {
    if (groupIds.length === 0) return [];
    return this.db.query(
      `SELECT m.group_id, s.id AS subject_id, coalesce(s.display_name, s.user_name) AS display
         FROM group_members m JOIN subjects s ON s.id = m.subject_id
        WHERE m.tenant_id = $1 AND m.group_id = ANY($2::uuid[]) ORDER BY m.created_at, s.id`,
      [tenantId, groupIds],
    );
  }
}
