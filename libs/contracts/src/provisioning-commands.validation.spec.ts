import { randomUUID } from 'node:crypto';
import { checkProvisioningJob } from './provisioning-commands.validation';
import { ProvisioningCommandName } from './provisioning-commands';

const base = () => ({
  commandId: randomUUID(),
  tenantId: randomUUID(),
  provider: 'contoso-entra',
  scimTokenId: randomUUID(),
});

describe('checkProvisioningJob: a job from Redis is checked before it is applied', () => {
  it.each([
    ['create-user', { name: ProvisioningCommandName.CreateUser, document: { userName: 'a' } }],
    [
      'patch-user with If-Match',
      {
        name: ProvisioningCommandName.PatchUser,
        subjectId: 'not-a-uuid-is-a-404-later',
        operations: [{ op: 'replace', path: 'active', value: false }],
        ifMatchVersion: 3,
      },
    ],
    [
      'create-group',
      { name: ProvisioningCommandName.CreateGroup, document: { displayName: 'g' }, members: [] },
    ],
    [
      'replace-group without members',
      { name: ProvisioningCommandName.ReplaceGroup, groupId: 'x', document: {} },
    ],
    ['delete-group', { name: ProvisioningCommandName.DeleteGroup, groupId: randomUUID() }],
  ])('accepts a well-formed %s', (_, command) => {
    const data = { ...base(), ...command };
    expect(checkProvisioningJob(data)).toEqual({ kind: 'command', command: data });
  });

  it.each([
    ['an unknown command name', { name: 'drop-tenant' }, 'name must be one of'],
    [
      'a tenant id that is not a UUID',
      { name: 'delete-user', subjectId: 'x', tenantId: "1' OR 1=1" },
      'tenantId',
    ],
    ['a document that is an array', { name: 'create-user', document: [] }, 'document must be an object'],
    ['a document that is null', { name: 'replace-user', subjectId: 'x', document: null }, 'document'],
    [
      'operations that are not an array',
      { name: 'patch-user', subjectId: 'x', operations: {} },
      'operations',
    ],
    ['an empty operations list', { name: 'patch-group', groupId: 'x', operations: [] }, 'operations'],
    [
      'an unknown PATCH op',
      { name: 'patch-user', subjectId: 'x', operations: [{ op: 'Delete', path: 'a' }] },
      'operations',
    ],
    [
      'a PATCH path that is not a string',
      { name: 'patch-user', subjectId: 'x', operations: [{ op: 'add', path: { $ne: 1 } }] },
      'operations',
    ],
    [
      'members that are not strings',
      { name: 'create-group', document: {}, members: [{ value: 1 }] },
      'members',
    ],
    ['a create-group without members', { name: 'create-group', document: {} }, 'members'],
    ['a missing subject id', { name: 'delete-user' }, 'subjectId'],
    // PostgreSQL cannot store NUL: such a job could not even have its refusal recorded.
    ['a subject id with a NUL', { name: 'delete-user', subjectId: 'a\u0000b' }, 'subjectId'],
    ['a member id with a NUL', { name: 'create-group', document: {}, members: ['\u0000'] }, 'members'],
    [
      'a negative If-Match version',
      { name: 'delete-group', groupId: 'x', ifMatchVersion: -1 },
      'ifMatchVersion',
    ],
    [
      'a string If-Match version',
      { name: 'delete-group', groupId: 'x', ifMatchVersion: '2' },
      'ifMatchVersion',
    ],
    [
      'a deadline that is not a time',
      { name: 'delete-user', subjectId: 'x', expiresAt: 'soon' },
      'expiresAt',
    ],
  ])('answers %s with a SCIM 400 outcome naming the field', (_, command, field) => {
    const data = { ...base(), ...command };
    const checked = checkProvisioningJob(data);
    expect(checked).toMatchObject({
      kind: 'refusal',
      commandId: data.commandId,
      outcome: { ok: false, failure: { status: 400, scimType: 'invalidSyntax' } },
    });
    if (checked.kind === 'refusal') expect(checked.outcome.failure.detail).toContain(field);
  });

  it.each([
    ['data that is not an object', 'create-user'],
    ['an array', []],
    ['null', null],
    ['no command id', { ...base(), commandId: undefined, name: 'delete-user', subjectId: 'x' }],
    ['a command id that is not a UUID', { ...base(), commandId: 'abc', name: 'delete-user', subjectId: 'x' }],
  ])('cannot answer %s: the job is to fail for good', (_, data) => {
    expect(checkProvisioningJob(data)).toMatchObject({ kind: 'unanswerable' });
  });
});
