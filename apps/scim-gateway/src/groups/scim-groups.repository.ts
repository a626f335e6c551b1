import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { GROUP_TABLE_MAPPING } from '@app/scim';
import { ScimGatewayConfig } from '../config/scim-gateway.config';
import { ScimResourceRepository } from '../resources/scim-resource.repository';

/**
 * Groups for SCIM reads (the groups and group_members tables). Members are read only when the
 * answer includes them, in the order they joined, and at most SCIM_GROUP_MEMBERS_MAX of them (the
 * subquery takes one more to know the list was cut): no read holds a 100,000-member list in memory,
 * and one with `excludedAttributes=members` costs the same for a group of one member as for one of 100,000.
 */
@Injectable()
export class ScimGroupsRepository extends ScimResourceRepository {
  constructor(@InjectDataSource() dataSource: DataSource, config: ScimGatewayConfig) {
    const limit = config.SCIM_GROUP_MEMBERS_MAX;
    super(dataSource, {
      from: 'groups g',
      alias: 'g',
      live: '',
      mapping: GROUP_TABLE_MAPPING,
      related: `(SELECT coalesce(json_agg(json_build_object('value', f.id, 'display', f.display) ORDER BY f.joined, f.id), '[]')
                   FROM (SELECT s.id, coalesce(s.display_name, s.user_name) AS display, m.created_at AS joined
                           FROM group_members m JOIN subjects s ON s.id = m.subject_id
                          WHERE m.tenant_id = g.tenant_id AND m.group_id = g.id AND s.deleted_at IS NULL
                          ORDER BY m.created_at, s.id LIMIT ${limit + 1}) f)`,
      relatedLimit: limit,
      indexedEquality: ['id', 'displayName', 'externalId'],
    });
  }
}
