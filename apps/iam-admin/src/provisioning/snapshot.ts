import { notFound, ScimError } from '@app/scim';
import { ResourceSnapshot } from '@app/contracts';
import { GROUPS_IN_RESULT_MAX } from '../subjects/subjects.repository';

/** A subject or group row → what a command outcome carries back to the gateway. */
export function snapshotOf(row: {
  id: string;
  document: Record<string, unknown>;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  groups?: ResourceSnapshot['related'];
}): ResourceSnapshot {
  return {
    id: row.id,
    document: row.document,
    version: row.version,
    createdAt: new Date(row.createdAt).toISOString(),
    updatedAt: new Date(row.updatedAt).toISOString(),
    // Cut lists are left out: the gateway reads the User back instead (GROUPS_IN_RESULT_MAX).
    ...(row.groups && row.groups.length <= GROUPS_IN_RESULT_MAX && { related: row.groups }),
  };
}

/** The locked row a command works on: 404 when it is not there, 412 when If-Match names another version. */
export function lockedRow<T extends { version: number }>(
  kind: 'User' | 'Group',
  id: string,
  row: T | undefined,
  ifMatchVersion: number | undefined,
): T {
  if (!row) throw notFound(`${kind} ${id} not found`);
  if (ifMatchVersion !== undefined && ifMatchVersion !== row.version) {
    throw new ScimError(412, `${kind} ${id} is at version ${row.version}, not ${ifMatchVersion}`);
  }
  return row;
}
