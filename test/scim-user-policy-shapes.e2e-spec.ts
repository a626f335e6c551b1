import { randomUUID } from 'node:crypto';
import { http, ScimStack, startScimStack } from '@test/support';

/*
 * Roles, userType, folders and metadata in the shapes Entra ID sends (entra-scim-facts §14, §22-24),
 * through the real gateway, queue and IAM worker: stored and returned canonical under the same URNs,
 * refused with invalidValue naming the value, and filterable.
 */
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const FOLDERS = 'urn:ietf:params:scim:schemas:extension:2.0:CustomExtensionName';
const METADATA = 'urn:ietf:params:scim:schemas:extension:2.0:Metadata';
const MS_FOLDERS = 'urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const ROLE_TYPE = 'WindowsAzureActiveDirectoryRole';

const patchOps = (...Operations: unknown[]) => ({ schemas: [PATCH_OP], Operations });
/** Entra's app role assignment as a JSON document inside the value string (§22). */
const wrappedRole = (value: string) => JSON.stringify({ id: randomUUID(), value, displayName: value });

describe('SCIM User policy attributes (roles, userType, folders, metadata) through gateway and IAM', () => {
  let s: ScimStack;
  let folderA: string;
  let folderB: string;
  const userName = (label: string) => `${label}-${randomUUID().slice(0, 8)}@contoso.com`;

  /** The POST Entra sends with the AppRoleAssignmentsComplex mapping and the seed's extensions. */
  const entraUser = (name: string, extra: Record<string, unknown> = {}) => ({
    schemas: [USER, ENTERPRISE, FOLDERS, METADATA],
    externalId: name.split('@')[0],
    userName: name,
    active: true,
    displayName: 'Barbara Jensen',
    emails: [{ primary: true, type: 'work', value: name }],
    name: { familyName: 'Jensen', givenName: 'Barbara' },
    userType: 'premium',
    roles: [
      { primary: false, type: ROLE_TYPE, display: 'Admin', value: 'admin' },
      { primary: 'false', type: ROLE_TYPE, display: 'Read only', value: 'ReadOnly' },
    ],
    [FOLDERS]: { folders: [` ${folderA}`, `${folderB} `] },
    [METADATA]: { costCenter: 42, region: 'EMEA' },
    meta: { resourceType: 'User' },
    ...extra,
  });
  const create = async (name: string, extra: Record<string, unknown> = {}) => {
    const res = await s.scim('POST', '/Users', entraUser(name, extra));
    if (res.status !== 201) throw new Error(`create failed ${res.status} ${res.text}`);
    return res.body as Record<string, any>;
  };
  const patch = async (id: string, ...operations: unknown[]) => {
    const res = await s.scim('PATCH', `/Users/${id}`, patchOps(...operations));
    if (res.status !== 200) throw new Error(`PATCH failed ${res.status} ${res.text}`);
    return (await s.scim('GET', `/Users/${id}`)).body as Record<string, any>;
  };
  const filter = async (expression: string) => {
    const res = await s.scim('GET', `/Users?filter=${encodeURIComponent(expression)}`);
    expect(res.status).toBe(200);
    return (res.body.Resources as Array<{ id: string }>).map((r) => r.id);
  };
  const folder = async (displayName: string) => {
    const res = await http(s.iam.url, 'POST', '/v1/folders', {
      token: s.platformToken,
      tenantId: s.tenantId,
      body: { displayName },
    });
    if (res.status !== 201) throw new Error(`folder create failed ${res.status} ${res.text}`);
    return res.body.id as string;
  };

  beforeAll(async () => {
    s = await startScimStack();
    // Folder values name folders of the tenant (by id here, which is what IAM stores either way).
    folderA = await folder(`Folder A ${randomUUID()}`);
    folderB = await folder(`Folder B ${randomUUID()}`);
  });
  afterAll(() => s?.close());

  describe('discovery', () => {
    it('lists both extensions on the User resource type, not required', async () => {
      const res = await s.scim('GET', '/ResourceTypes/User');
      expect(res.status).toBe(200);
      expect(res.body.schemaExtensions).toEqual([
        { schema: ENTERPRISE, required: false },
        { schema: FOLDERS, required: false },
        { schema: METADATA, required: false },
      ]);
    });

    it('describes the extensions in /Schemas and the allowed roles and user types in the core schema', async () => {
      const all = await s.scim('GET', '/Schemas');
      const ids = (all.body.Resources as Array<{ id: string }>).map((r) => r.id);
      expect(ids).toEqual(expect.arrayContaining([USER, ENTERPRISE, FOLDERS, METADATA]));

      const folders = await s.scim('GET', `/Schemas/${FOLDERS}`);
      expect(folders.body).toMatchObject({ id: FOLDERS, name: 'CustomExtensionName' });
      expect(folders.body.attributes).toEqual([
        expect.objectContaining({
          name: 'folders',
          type: 'string',
          multiValued: true,
          mutability: 'readWrite',
        }),
      ]);
      // Metadata keys are tenant-chosen: the schema is there, with no fixed attributes.
      const metadata = await s.scim('GET', `/Schemas/${METADATA}`);
      expect(metadata.body).toMatchObject({ id: METADATA, name: 'Metadata', attributes: [] });

      const core = (await s.scim('GET', `/Schemas/${USER}`)).body;
      const attribute = (name: string) => core.attributes.find((a: { name: string }) => a.name === name);
      expect(attribute('userType').canonicalValues).toEqual(['Premium', 'Standard']);
      const roleValue = attribute('roles').subAttributes.find((a: { name: string }) => a.name === 'value');
      expect(roleValue.canonicalValues).toEqual(['ReadOnly', 'User', 'Admin', 'EnterpriseAdmin']);
    });
  });

  describe('create', () => {
    it('stores and returns canonical values under the same URNs', async () => {
      const created = await create(userName('canon'));
      const read = (await s.scim('GET', `/Users/${created.id}`)).body;
      for (const user of [created, read]) {
        expect(user.schemas).toEqual([USER, FOLDERS, METADATA, ENTERPRISE]);
        expect(user.userType).toBe('Premium');
        expect(user.roles).toEqual([
          { value: 'Admin', display: 'Admin', type: ROLE_TYPE, primary: false },
          { value: 'ReadOnly', display: 'Read only', type: ROLE_TYPE, primary: false },
        ]);
        expect(user[FOLDERS]).toEqual({ folders: [folderA, folderB] });
        expect(user[METADATA]).toEqual({ costCenter: '42', region: 'EMEA' });
      }
    });

    it("accepts the SingleAppRoleAssignment POST and Microsoft's extension naming pattern", async () => {
      const user = await create(userName('single'), {
        schemas: [USER, MS_FOLDERS],
        roles: [{ primary: true, type: ROLE_TYPE, value: 'EnterpriseAdmin' }],
        [FOLDERS]: undefined,
        [MS_FOLDERS]: { folders: [folderB] },
      });
      expect(user.roles).toEqual([{ value: 'EnterpriseAdmin', type: ROLE_TYPE, primary: true }]);
      expect(user[FOLDERS]).toEqual({ folders: [folderB] });
      expect(user).not.toHaveProperty([MS_FOLDERS]);
    });

    it.each([
      [{ roles: [{ value: 'Owner', primary: false }] }, "'Owner' is not an allowed role"],
      [{ roles: [{ value: wrappedRole('Root') }] }, "'Root' is not an allowed role"],
      [{ userType: 'Gold' }, "userType 'Gold' is not allowed: use Premium or Standard"],
      [{ [METADATA]: { 'cost center': '1' } }, "'cost center' is not a valid metadata key"],
    ])('refuses %j with 400 invalidValue naming it', async (extra, message) => {
      const res = await s.scim('POST', '/Users', entraUser(userName('bad'), extra));
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ schemas: [ERROR], status: '400', scimType: 'invalidValue' });
      expect(res.body.detail).toContain(message);
    });

    it('names the allowed roles when refusing one', async () => {
      const res = await s.scim('POST', '/Users', entraUser(userName('bad'), { roles: [{ value: 'Owner' }] }));
      expect(res.body.detail).toContain('ReadOnly, User, Admin, EnterpriseAdmin');
    });
  });

  describe('PATCH', () => {
    it('applies the §22 role shapes: JSON in a string, the primary role path, remove of listed roles', async () => {
      const user = await create(userName('roles'), { roles: [] });
      let read = await patch(user.id, {
        op: 'Add',
        path: 'roles',
        value: [{ value: wrappedRole('User') }],
      });
      expect(read.roles).toEqual([{ value: 'User', display: 'User', primary: false }]);

      read = await patch(user.id, { op: 'Replace', path: 'roles[primary eq "True"].value', value: 'admin' });
      expect(read.roles).toEqual([
        { value: 'User', display: 'User', primary: false },
        { value: 'Admin', primary: true },
      ]);

      read = await patch(user.id, { op: 'add', value: { roles: [{ value: 'ReadOnly', primary: 'false' }] } });
      expect(read.roles.map((r: { value: string }) => r.value)).toEqual(['User', 'Admin', 'ReadOnly']);

      read = await patch(user.id, { op: 'Remove', path: 'roles', value: [{ value: wrappedRole('User') }] });
      expect(read.roles.map((r: { value: string }) => r.value)).toEqual(['Admin', 'ReadOnly']);

      read = await patch(user.id, { op: 'Remove', path: 'roles[primary eq "True"].value' });
      expect(read.roles).toEqual([{ value: 'ReadOnly', primary: false }]);
    });

    it('refuses an unknown role or user type in a PATCH with 400 invalidValue, leaving the user as it was', async () => {
      const user = await create(userName('refused'));
      for (const [operation, message] of [
        [
          { op: 'Add', path: 'roles', value: [{ value: wrappedRole('Owner') }] },
          "'Owner' is not an allowed role",
        ],
        [
          { op: 'Replace', path: 'roles[primary eq "True"].value', value: 'Boss' },
          "'Boss' is not an allowed role",
        ],
        [{ op: 'Replace', path: 'userType', value: 'Gold' }, "userType 'Gold' is not allowed"],
      ] as const) {
        const res = await s.scim('PATCH', `/Users/${user.id}`, patchOps(operation));
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({ scimType: 'invalidValue' });
        expect(res.body.detail).toContain(message);
      }
      const read = (await s.scim('GET', `/Users/${user.id}`)).body;
      expect(read.meta.version).toBe(user.meta.version);
      expect(read.roles).toEqual(user.roles);
    });

    it('replaces userType in any case, stored canonical', async () => {
      const user = await create(userName('type'));
      expect((await patch(user.id, { op: 'Replace', path: 'userType', value: 'STANDARD' })).userType).toBe(
        'Standard',
      );
      expect((await patch(user.id, { op: 'replace', value: { userType: 'premium' } })).userType).toBe(
        'Premium',
      );
    });

    it('changes folders and metadata by attribute path, path-less by URN, and removes them', async () => {
      const user = await create(userName('ext'));
      let read = await patch(user.id, { op: 'Replace', path: `${FOLDERS}:folders`, value: [` ${folderB} `] });
      expect(read[FOLDERS]).toEqual({ folders: [folderB] });
      read = await patch(user.id, { op: 'Add', path: `${MS_FOLDERS}:folders`, value: [folderA] });
      expect(read[FOLDERS]).toEqual({ folders: [folderB, folderA] });
      read = await patch(user.id, { op: 'Remove', path: `${FOLDERS}:folders`, value: [folderB] });
      expect(read[FOLDERS]).toEqual({ folders: [folderA] });

      read = await patch(user.id, { op: 'Replace', path: `${METADATA}:costCenter`, value: 7 });
      expect(read[METADATA]).toEqual({ costCenter: '7', region: 'EMEA' });
      read = await patch(user.id, {
        op: 'replace',
        value: { [METADATA]: { team: 'Blue' }, [`${METADATA}:REGION`]: 'APAC' },
      });
      expect(read[METADATA]).toEqual({ costCenter: '7', region: 'APAC', team: 'Blue' });
      read = await patch(
        user.id,
        { op: 'Remove', path: `${METADATA}:region` },
        { op: 'remove', path: FOLDERS },
      );
      expect(read[METADATA]).toEqual({ costCenter: '7', team: 'Blue' });
      expect(read).not.toHaveProperty([FOLDERS]);
      expect(read.schemas).not.toContain(FOLDERS);
    });

    it('sets the manager from a bare id with a path and without one, and removes it with an empty value', async () => {
      const manager = await create(userName('boss'));
      const user = await create(userName('report'));
      const managerPath = `${ENTERPRISE}:manager`;
      for (const operation of [
        { op: 'Add', path: managerPath, value: manager.id },
        { op: 'replace', value: { [managerPath]: manager.id } },
        { op: 'replace', value: { [ENTERPRISE]: { manager: manager.id } } },
        { op: 'Replace', path: managerPath, value: { value: manager.id } },
      ]) {
        await patch(user.id, { op: 'Remove', path: managerPath, value: '' });
        const read = await patch(user.id, operation);
        expect(read[ENTERPRISE]).toEqual({ manager: { value: manager.id } });
      }
      const removed = await patch(user.id, { op: 'Remove', path: managerPath, value: '' });
      expect(removed).not.toHaveProperty([ENTERPRISE, 'manager']);
    });
  });

  describe('filters', () => {
    it('finds users by a metadata key (any case of the key), userType and roles.value', async () => {
      const costCenter = `cc-${randomUUID().slice(0, 8)}`;
      const user = await create(userName('filter'), {
        userType: 'Standard',
        [METADATA]: { costCenter },
      });
      const other = await create(userName('other'));
      expect(await filter(`${METADATA}:costCenter eq "${costCenter}"`)).toEqual([user.id]);
      expect(await filter(`${METADATA}:COSTCENTER eq "${costCenter.toUpperCase()}"`)).toEqual([user.id]);
      expect(await filter(`${METADATA}:costCenter eq "no-such-${costCenter}"`)).toEqual([]);
      const standard = await filter(`userType eq "Standard" and ${METADATA}:costCenter pr`);
      expect(standard).toContain(user.id);
      expect(standard).not.toContain(other.id);
      const admins = await filter(`roles.value eq "admin" and id eq "${other.id}"`);
      expect(admins).toEqual([other.id]);
      expect(await filter(`${FOLDERS}:folders eq "${folderA}" and id eq "${other.id}"`)).toEqual([other.id]);
    });

    it('refuses a metadata key that is not an attribute name with invalidFilter', async () => {
      const res = await s.scim('GET', `/Users?filter=${encodeURIComponent(`${METADATA}:a'b eq "x"`)}`);
      expect(res.status).toBe(400);
      expect(res.body.scimType).toBe('invalidFilter');
    });
  });
});
