import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ProvisioningCommandName, ResourceSnapshot } from '@app/contracts';
import { FOLDERS_SCHEMA, USER_SCHEMA } from '@app/scim';
import { testFileDatabaseUrl } from '@test/support';
import { SubjectEventsOutbox } from '../events/subject-events.outbox';
import { SubjectEventsRepository } from '../events/subject-events.repository';
import { DomainPolicy } from '../domains/domain-policy';
import { DomainsRepository } from '../domains/domains.repository';
import { FoldersRepository } from '../folders/folders.repository';
import { SubjectFoldersRepository } from '../folders/subject-folders.repository';
import { ProvisioningPolicyService } from '../provisioning-policy/provisioning-policy.service';
import { ProvisioningSettingsRepository } from '../provisioning-policy/provisioning-settings.repository';
import { GroupsRepository } from '../subjects/groups.repository';
import { MembershipsRepository } from '../subjects/memberships.repository';
import { GROUPS_IN_RESULT_MAX, SubjectsRepository } from '../subjects/subjects.repository';
import { IamAdminConfig } from '../config/iam-admin.config';
import { TenantConfigCacheService } from '../tenant-config-cache/tenant-config-cache.service';
import { TenantConfigNotificationsRepository } from '../tenant-config-cache/tenant-config-notifications.repository';
import { TenantsRepository } from '../tenants/tenants.repository';
import { commandContext } from './command-context';
import { UserCommandsHandler } from './user-commands.handler';

describe('UserCommandsHandler (real PostgreSQL)', () => {
  let db: DataSource;
  let tenantId: string;
  const subjects = new SubjectsRepository();
  const memberships = new MembershipsRepository();
  const folders = new FoldersRepository();
  const settings = new ProvisioningSettingsRepository();
  const handler = new UserCommandsHandler(
    subjects,
    memberships,
    new SubjectEventsOutbox(new SubjectEventsRepository()),
    new ProvisioningPolicyService(
      settings,
      folders,
      new DomainPolicy(new DomainsRepository()),
      // Switched off, the cache keeps nothing: every write reads the settings.
      new TenantConfigCacheService(
        {} as DataSource,
        { IAM_TENANT_CONFIG_CACHE: false } as IamAdminConfig,
        new TenantConfigNotificationsRepository(),
      ),
    ),
    new SubjectFoldersRepository(),
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

  it('a patch answers with the groups the subject is in after it (the gateway shows them without a read)', async () => {
    const created = await create('grouped@contoso.com');
    expect(created.related).toEqual([]);
    const groups = new GroupsRepository();
    const source = { provider: 'entra', source: 'scim' as const };
    const sales = await groups.insert(db, tenantId, { displayName: 'Sales' + created.id }, source);
    const admins = await groups.insert(db, tenantId, { displayName: 'Admins' + created.id }, source);
    for (const group of [sales, admins]) await memberships.add(db, group, [created.id]);
    const patch = (value: string) =>
      db.transaction((em) =>
        handler.patch(em, {
          ...common(),
          name: ProvisioningCommandName.PatchUser,
          subjectId: created.id,
          operations: [{ op: 'replace', path: 'title', value }],
        }),
      );
    const expected = [
      { value: admins.id, display: admins.displayName },
      { value: sales.id, display: sales.displayName },
    ];
    expect((await patch('Lead')).related).toEqual(expected);
    // A patch that changes nothing answers from the locked row, with the same groups.
    expect((await patch('Lead')).related).toEqual(expected);
    // Past GROUPS_IN_RESULT_MAX the list is left out (the gateway reads the User back): no unbounded result.
    await db.query(
      `WITH many AS (
         INSERT INTO groups (tenant_id, display_name, document, provider, source)
         SELECT $1, 'many-' || n || '-' || $2, '{}'::jsonb, 'entra', 'scim' FROM generate_series(1, $3::int) n
         RETURNING id)
       INSERT INTO group_members (group_id, subject_id, tenant_id) SELECT id, $2::uuid, $1 FROM many`,
      [tenantId, created.id, GROUPS_IN_RESULT_MAX - 1],
    );
    expect((await patch('Staff')).related).toBeUndefined();
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

  describe('tenant provisioning policy', () => {
    let policyTenant: string;
    beforeAll(async () => {
      policyTenant = (await new TenantsRepository().insert(db, { displayName: 'policy tests' })).id;
      await settings.save(
        db,
        policyTenant,
        null,
        {
          defaultRole: 'User',
          defaultUserType: 'Standard',
          requireVerifiedDomain: false,
          ignoreUnknownFolders: true,
          allowedMetadataKeys: null,
        },
        'spec',
      );
    });

    const createIn = (document: Record<string, unknown>, source: 'scim' | 'admin' = 'scim') => {
      const context = commandContext(source);
      return db
        .transaction((em) =>
          handler.create(
            em,
            { ...common(), tenantId: policyTenant, name: ProvisioningCommandName.CreateUser, document },
            context,
          ),
        )
        .then((snapshot) => ({ snapshot, context }));
    };

    it('a SCIM create gets the defaults, the resolved folders and managedBy scim; its event carries them', async () => {
      const finance = await folders.insert(db, policyTenant, {
        displayName: 'Finance',
        externalId: 'FIN-01',
      });
      const { snapshot, context } = await createIn({
        schemas: [USER_SCHEMA],
        userName: 'policy@contoso.com',
        [FOLDERS_SCHEMA]: { folders: ['fin-01', 'Unknown'] },
      });
      expect(context.decisions).toEqual([
        "unknown folder 'Unknown' ignored",
        'defaultRole User applied',
        'defaultUserType Standard applied',
      ]);
      const row = await subjects.findLive(db, policyTenant, snapshot.id);
      expect(row).toMatchObject({ managedBy: 'scim', folders: [finance.id] });
      expect(row!.document[FOLDERS_SCHEMA]).toEqual({ folders: ['fin-01', 'Unknown'] });
      expect((await eventsOf(snapshot.id))[0]).toMatchObject({
        type: 'subject.created',
        access: { app: true, portal: true },
        roles: ['User'],
        userType: 'Standard',
        folders: [finance.id],
        metadata: {},
        managedBy: 'scim',
      });
    });

    it('the same folder values resolving to another set (a folder created since) are a change', async () => {
      const document = {
        schemas: [USER_SCHEMA],
        userName: 'later@contoso.com',
        userType: 'Premium',
        roles: [{ value: 'Admin', primary: true }],
        [FOLDERS_SCHEMA]: { folders: ['LATER'] },
      };
      const { snapshot } = await createIn(document);
      expect((await subjects.findLive(db, policyTenant, snapshot.id))!.folders).toEqual([]);
      const later = await folders.insert(db, policyTenant, { displayName: 'Later', externalId: 'later' });
      const replaced = await db.transaction((em) =>
        handler.replace(em, {
          ...common(),
          tenantId: policyTenant,
          name: ProvisioningCommandName.ReplaceUser,
          subjectId: snapshot.id,
          document,
        }),
      );
      expect(replaced.version).toBe(2);
      expect((await eventsOf(snapshot.id))[1]).toMatchObject({
        changedAttributes: [FOLDERS_SCHEMA],
        folders: [later.id],
      });
    });

    it('an operator write leaves managedBy alone; deprovisioning ends folder access', async () => {
      const finance2 = await folders.insert(db, policyTenant, { displayName: 'Finance 2', externalId: null });
      const { snapshot } = await createIn(
        {
          schemas: [USER_SCHEMA],
          userName: 'local@contoso.com',
          [FOLDERS_SCHEMA]: { folders: [finance2.id] },
        },
        'admin',
      );
      expect(await subjects.findLive(db, policyTenant, snapshot.id)).toMatchObject({ managedBy: null });
      await db.transaction((em) =>
        handler.patch(
          em,
          {
            ...common(),
            tenantId: policyTenant,
            name: ProvisioningCommandName.PatchUser,
            subjectId: snapshot.id,
            operations: [{ op: 'replace', path: 'title', value: 'Temp' }],
          },
          commandContext('scim'),
        ),
      );
      expect(await subjects.findLive(db, policyTenant, snapshot.id)).toMatchObject({ managedBy: 'scim' });
      await db.transaction((em) =>
        handler.patch(
          em,
          {
            ...common(),
            tenantId: policyTenant,
            name: ProvisioningCommandName.PatchUser,
            subjectId: snapshot.id,
            operations: [{ op: 'replace', path: 'title', value: 'Contractor' }],
          },
          commandContext('admin'),
        ),
      );
      expect(await subjects.findLive(db, policyTenant, snapshot.id)).toMatchObject({
        managedBy: 'scim',
        folders: [finance2.id],
      });
      await db.transaction((em) =>
        handler.delete(em, {
          ...common(),
          tenantId: policyTenant,
          name: ProvisioningCommandName.DeleteUser,
          subjectId: snapshot.id,
        }),
      );
      expect((await subjects.find(db, policyTenant, snapshot.id))!.folders).toEqual([]);
    });

    it('a patch whose result has no userType, in a tenant without defaultUserType, is refused and changes nothing', async () => {
      const strict = (await new TenantsRepository().insert(db, { displayName: 'strict' })).id;
      const created = await db.transaction((em) =>
        handler.create(em, {
          ...common(),
          tenantId: strict,
          name: ProvisioningCommandName.CreateUser,
          document: { schemas: [USER_SCHEMA], userName: 'strict@contoso.com', userType: 'Premium' },
        }),
      );
      await settings.save(
        db,
        strict,
        null,
        {
          defaultRole: null,
          defaultUserType: null,
          requireVerifiedDomain: false,
          ignoreUnknownFolders: false,
          allowedMetadataKeys: null,
        },
        'spec',
      );
      await expect(
        db.transaction((em) =>
          handler.patch(em, {
            ...common(),
            tenantId: strict,
            name: ProvisioningCommandName.PatchUser,
            subjectId: created.id,
            operations: [{ op: 'remove', path: 'userType' }],
          }),
        ),
      ).rejects.toMatchObject({ status: 400, scimType: 'invalidValue' });
      expect((await subjects.findLive(db, strict, created.id))!.document.userType).toBe('Premium');
    });
  });
});
