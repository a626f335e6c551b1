import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { USER_TABLE_MAPPING, userGroupsSql } from '@app/scim';
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
      related: userGroupsSql('s'),
      indexedEquality: ['id', 'userName', 'externalId'],
    });
  }
}
