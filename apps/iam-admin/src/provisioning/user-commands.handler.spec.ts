import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ProvisioningCommandName, ResourceSnapshot } from '@app/contracts';
import { USER_SCHEMA } from '@app/scim';
import { testFileDatabaseUrl } from '@test/support';
import { SubjectEventsOutbox } from '../events/subject-events.outbox';
import { SubjectEventsRepository } from '../events/subject-events.repository';
import { GroupsRepository } from '../subjects/groups.repository';
import { MembershipsRepository } from '../subjects/memberships.repository';
import { SubjectsRepository } from '../subjects/subjects.repository';
import { TenantsRepository } from '../tenants/tenants.repository';
import { UserCommandsHandler } from './user-commands.handler';

describe('UserCommandsHandler (real PostgreSQL)', () => {
  let db: DataSource;
  let tenantId: string;
  const subjects = new SubjectsRepository();
  const memberships = new MembershipsRepository();
  const handler = new UserCommandsHandler(
    subjects,
    memberships,
    new SubjectEventsOutbox(new SubjectEventsRepository()),
  );
  const common = () => ({ commandId: randomUUID(), tenantId, provider: 'entra', scimTokenId: randomUUID() });

  beforeAll(async () => {
    db = await new DataSource({ type: 'postgres', url: await testFileDatabaseUrl() }).initialize();
    tenantId = (await new TenantsRepository().insert(db, { displayName: 'handler tests' })).id;
  });
  afterAll(() => db?.destroy());

  const eventsOf = async (subjectId: string): Promise<Array<Record<string, unknown>>> =>
    (
      await db.query(`SELECT event FROM subject_events WHERE aggregate_id = $1 ORDER BY sequence`, [
        subjectId,
      ])
    ).map((r: { event: Record<string, unknown> }) => r.event);

  const create = (userName: string): Promise<ResourceSnapshot> =>
    db.transaction((em) =>
      handler.create(em, {
        ...common(),
        name: ProvisioningCommandName.CreateUser,
        document: { schemas: [USER_SCHEMA], userName, active: true, title: 'Engineer' },
      }),
    );

  it('creates a subject at version 1 with its subject.created event', async () => {
    const created = await create('create@contoso.com');
    expect(created.version).toBe(1);
    expect(await eventsOf(created.id)).toMatchObject([
      { type: 'subject.created', source: 'scim', state: { id: created.id, userName: 'create@contoso.com' } },
    ]);
  });

  it('a replace that changes nothing keeps version and lastModified and records no event', async () => {
    const created = await create('noop@contoso.com');
    const replaced = await db.transaction((em) =>
      handler.replace(em, {
        ...common(),
        name: ProvisioningCommandName.ReplaceUser,
        subjectId: created.id,
        document: { schemas: [USER_SCHEMA], userName: 'noop@contoso.com', active: true, title: 'Engineer' },
      }),
    );
    expect(replaced).toEqual(created);
    expect(await eventsOf(created.id)).toHaveLength(1);
  });

  it('a patch that deactivates records subject.deactivated with the changed attributes', async () => {
    const created = await create('leaver@contoso.com');
    const patched = await db.transaction((em) =>
      handler.patch(em, {
        ...common(),
        name: ProvisioningCommandName.PatchUser,
        subjectId: created.id,
        operations: [{ op: 'replace', path: 'active', value: false }],
        ifMatchVersion: 1,
      }),
    );
    expect(patched.version).toBe(2);
    expect((await eventsOf(created.id))[1]).toMatchObject({
      type: 'subject.deactivated',
      changedAttributes: ['active'],
      state: { id: created.id, active: false },
    });
  });

  it('If-Match naming another version is 412 and changes nothing', async () => {
    const created = await create('stale@contoso.com');
    await expect(
      db.transaction((em) =>
        handler.delete(em, {
          ...common(),
          name: ProvisioningCommandName.DeleteUser,
          subjectId: created.id,
          ifMatchVersion: 7,
        }),
      ),
    ).rejects.toMatchObject({ status: 412 });
    expect(await subjects.findLive(db, tenantId, created.id)).toBeDefined();
  });

  it.each(['not-a-uuid', randomUUID()])('an unknown subject (%s) is 404', async (subjectId) => {
    await expect(
      db.transaction((em) =>
        handler.delete(em, { ...common(), name: ProvisioningCommandName.DeleteUser, subjectId }),
      ),
    ).rejects.toMatchObject({ status: 404 });
  });

  it('deprovisioning keeps a tombstone, ends memberships and records removal events before subject.deleted', async () => {
    const created = await create('deleted@contoso.com');
    const group = await new GroupsRepository().insert(
      db,
      tenantId,
      { displayName: 'Sales' },
      {
        provider: 'entra',
        source: 'scim',
      },
    );
    await memberships.add(db, group, [created.id]);
    await db.transaction((em) =>
      handler.delete(em, { ...common(), name: ProvisioningCommandName.DeleteUser, subjectId: created.id }),
    );
    expect(await subjects.findLive(db, tenantId, created.id)).toBeUndefined();
    expect((await subjects.find(db, tenantId, created.id))?.deletedAt).toBeInstanceOf(Date);
    expect((await memberships.membersOf(db, tenantId, group.id, { limit: 10, offset: 0 })).total).toBe(0);
    expect((await eventsOf(created.id)).map((e) => e.type)).toEqual([
      'subject.created',
      'subject.removed-from-group',
      'subject.deleted',
    ]);
  });
});
