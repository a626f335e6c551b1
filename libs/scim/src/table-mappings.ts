import { SqlMapping } from './filter-sql';
import { GROUP_RESOURCE_TYPE, USER_RESOURCE_TYPE } from './schemas';

/**
 * Where SCIM User attributes live in IAM's subjects table, aliased `s` (the indexed ones are
 * columns). One mapping for the gateway's SCIM reads and IAM's operator search, so a filter means
 * the same in both.
 */
/**
 * A User's direct groups as a JSON array of `{value, display}` (by display name), for the subject
 * row aliased `alias`: the gateway's reads and IAM's command results show the same list. With
 * `limit`, at most that many (the caller takes one more to know the list was cut).
 */
export const userGroupsSql = (alias: string, limit?: number): string =>
  `(SELECT coalesce(json_agg(json_build_object('value', g.id, 'display', g.display) ORDER BY g.display), '[]')
      FROM (SELECT g.id, g.display_name AS display FROM group_members gm JOIN groups g ON g.id = gm.group_id
             WHERE gm.subject_id = ${alias}.id${limit === undefined ? '' : ` ORDER BY g.display_name LIMIT ${Math.trunc(limit)}`}) g)`;

export const USER_TABLE_MAPPING: SqlMapping = {
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

/** Where SCIM Group attributes live, aliased `g`: columns, the document, and members as rows of group_members. */
export const GROUP_TABLE_MAPPING: SqlMapping = {
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
