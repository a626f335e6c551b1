import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ProvisioningCommandName } from '@app/contracts';
import { GROUP_SCHEMA, USER_SCHEMA } from '@app/scim';
import { testFileDatabaseUrl } from '@test/support';
import { SubjectEventsOutbox } from '../events/subject-events.outbox';
import { SubjectEventsRepository } from '../events/subject-events.repository';
import { GroupsRepository } from '../subjects/groups.repository';
import { MembershipsRepository } from '../subjects/memberships.repository';
import { subjectColumnsOf, SubjectsRepository } from '../subjects/subjects.repository';
import { TenantsRepository } from '../tenants/tenants.repository';
import { GroupCommandsHandler } from './group-commands.handler';

describe('GroupCommandsHandler (real PostgreSQL)', () => {
  let db: DataSource;
  let tenantId: string;
  const subjects = new SubjectsRepository();
  const memberships = new MembershipsRepository();
  const handler = new GroupCommandsHandler(
    new GroupsRepository(),
    memberships,
    subjects,
    new SubjectEventsOutbox(new SubjectEventsRepository()),
  );
  const common = () => ({ commandId: randomUUID(), tenantId, provider: 'entra', scimTokenId: randomUUID() });
  const person = async (tenant: string, userName: string) =>
    (
      await subjects.insert(db, tenant, subjectColumnsOf({ schemas: [USER_SCHEMA], userName }), {
        provider: 'entra',
        source: 'scim',
      })
    ).id;

  beforeAll(async () => {
    db = await new DataSource({ type: 'postgres', url: await testFileDatabaseUrl() }).initialize();
    tenantId = (await new TenantsRepository().insert(db, { displayName: 'group handler tests' })).id;
  });
  afterAll(() => db?.destroy());

  const eventTypes = async (aggregateId: string) =>
    (
      await db.query(
        `SELECT event->>'type' AS type FROM subject_events WHERE aggregate_id = $1 ORDER BY sequence`,
        [aggregateId],
      )
    ).map((r: { type: string }) => r.type);
  const members = async (groupId: string) =>
    (await memberships.membersOf(db, tenantId, groupId, { limit: 100, offset: 0 })).items
      .map((s) => s.id)
      .sort();
  const createGroup = (displayName: string, memberIds: string[]) =>
    db.transaction((em) =>
      handler.create(em, {
        ...common(),
        name: ProvisioningCommandName.CreateGroup,
        document: { schemas: [GROUP_SCHEMA], displayName },
        members: memberIds,
      }),
    );

  it('creates a group with its members: group.created, and subject.added-to-group per member', async () => {
    const alice = await person(tenantId, 'alice.g@contoso.com');
    const group = await createGroup('Engineering', [alice.toUpperCase()]);
    expect(await members(group.id)).toEqual([alice]);
    expect(await eventTypes(group.id)).toEqual(['group.created']);
    expect(await eventTypes(alice)).toEqual(['subject.added-to-group']);
  });

  it('refuses members that are not live subjects of the tenant, by id, and adds none', async () => {
    const bob = await person(tenantId, 'bob.g@contoso.com');
    const foreigner = await person(
      (await new TenantsRepository().insert(db, { displayName: 'other' })).id,
      'x@y',
    );
    await expect(createGroup('Mixed', [bob, foreigner, 'not-a-uuid'])).rejects.toMatchObject({
      status: 400,
      scimType: 'invalidValue',
      detail: expect.stringMatching(new RegExp(`unknown: ${foreigner}, not-a-uuid$`)),
    });
    expect(await eventTypes(bob)).toEqual([]);
  });

  it('a membership-only PATCH moves the version but records only membership events', async () => {
    const carol = await person(tenantId, 'carol.g@contoso.com');
    const dave = await person(tenantId, 'dave.g@contoso.com');
    const group = await createGroup('Support', [carol]);
    const patched = await db.transaction((em) =>
      handler.patch(em, {
        ...common(),
        name: ProvisioningCommandName.PatchGroup,
        groupId: group.id,
        operations: [
          { op: 'add', path: 'members', value: [{ value: dave }, { value: carol }] },
          { op: 'remove', path: `members[value eq "${carol}"]` },
        ],
        ifMatchVersion: 1,
      }),
    );
    expect(patched.version).toBe(2);
    expect(await members(group.id)).toEqual([dave]);
    expect(await eventTypes(group.id)).toEqual(['group.created']);
    expect(await eventTypes(dave)).toEqual(['subject.added-to-group']);
    expect(await eventTypes(carol)).toEqual(['subject.added-to-group', 'subject.removed-from-group']);
  });

  it('a rename records group.updated naming displayName; a stale If-Match is 412', async () => {
    const group = await createGroup('Old name', []);
    await expect(
      db.transaction((em) =>
        handler.patch(em, {
          ...common(),
          name: ProvisioningCommandName.PatchGroup,
          groupId: group.id,
          operations: [{ op: 'replace', path: 'displayName', value: 'New name' }],
          ifMatchVersion: 2,
        }),
      ),
    ).rejects.toMatchObject({ status: 412 });
    await db.transaction((em) =>
      handler.replace(em, {
        ...common(),
        name: ProvisioningCommandName.ReplaceGroup,
        groupId: group.id,
        document: { schemas: [GROUP_SCHEMA], displayName: 'New name' },
      }),
    );
    const [, updated] = await db.query(
      `SELECT event FROM subject_events WHERE aggregate_id = $1 ORDER BY sequence`,
      [group.id],
    );
    expect(updated.event).toMatchObject({ type: 'group.updated', changedAttributes: ['displayName'] });
  });

  it('deleting a group removes its members first, each with an event, then group.deleted', async () => {
    const erin = await person(tenantId, 'erin.g@contoso.com');
    const group = await createGroup('Doomed', [erin]);
    await db.transaction((em) =>
      handler.delete(em, { ...common(), name: ProvisioningCommandName.DeleteGroup, groupId: group.id }),
    );
    expect(await eventTypes(group.id)).toEqual(['group.created', 'group.deleted']);
    expect(await eventTypes(erin)).toEqual(['subject.added-to-group', 'subject.removed-from-group']);
  });
});
