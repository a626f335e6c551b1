import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { SqlMapping, USER_RESOURCE_TYPE } from '@app/scim';
import { ScimResourceRepository } from '../resources/scim-resource.repository';

/** Where SCIM User attributes live in the subjects table (the indexed ones are columns). */
const USER_SQL: SqlMapping = {
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
  relations: {
    groups: {
      from: 'group_members gm',
      where: 'gm.subject_id = s.id',
      columns: { value: { sql: 'gm.group_id', type: 'uuid' } },
    },
  },
};

/**
 * Live subjects as SCIM Users (tombstones are invisible to SCIM). A User's direct groups are read
 * in the same query as the User, so an Entra lookup stays one round trip (a lever the SCIM benchmark measured).
 */
@Injectable()
export class ScimUsersRepository extends ScimResourceRepository {
  constructor(@InjectDataSource() dataSource: DataSource) {
    super(dataSource, {
      from: 'subjects s',
      alias: 's',
      live: 's.deleted_at IS NULL',
      mapping: USER_SQL,
      related: `(SELECT coalesce(json_agg(json_build_object('value', g.id, 'display', g.display_name) ORDER BY g.display_name), '[]')
                   FROM group_members gm JOIN groups g ON g.id = gm.group_id WHERE gm.subject_id = s.id)`,
      indexedEquality: ['id', 'userName', 'externalId'],
    });
  }
}
