import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { USER_TABLE_MAPPING } from '@app/scim';
import { ScimResourceRepository } from '../resources/scim-resource.repository';

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
      mapping: USER_TABLE_MAPPING,
      related: `(SELECT coalesce(json_agg(json_build_object('value', g.id, 'display', g.display_name) ORDER BY g.display_name), '[]')
                   FROM group_members gm JOIN groups g ON g.id = gm.group_id WHERE gm.subject_id = s.id)`,
      indexedEquality: ['id', 'userName', 'externalId'],
    });
  }
}
