import { ScimError } from './errors';
import { applyPatch, normalizePatchRequest } from './patch';
import { normalizeUserDocument } from './resource-document';
import {
  ENTERPRISE_USER_SCHEMA,
  FOLDERS_SCHEMA,
  METADATA_SCHEMA,
  PATCH_OP_SCHEMA,
  USER_RESOURCE_TYPE,
  USER_SCHEMA,
} from './schemas';
import {
  canonicalRole,
  canonicalUserType,
  userPolicyView,
  withFolders,
  withUserDefaults,
} from './user-policy';

const MS_FOLDERS = 'urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User';
const ROLE_TYPE = 'WindowsAzureActiveDirectoryRole';

const user = (extra: Record<string, unknown> = {}) =>
  normalizeUserDocument({ schemas: [USER_SCHEMA], userName: 'ann@contoso.com', ...extra });
const patchBody = (...Operations: unknown[]) => ({ schemas: [PATCH_OP_SCHEMA], Operations });
/** What the gateway (normalise the request) and IAM's worker (apply, normalise) do with a PATCH. */
const patch = (doc: Record<string, unknown>, ...operations: unknown[]) =>
  normalizeUserDocument(applyPatch(doc, normalizePatchRequest(patchBody(...operations), USER_RESOURCE_TYPE)));
/** The error a call throws (fails the test when it throws none). */
const errorOf = (fn: () => unknown): ScimError => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ScimError);
    return error as ScimError;
  }
  throw new Error('accepted');
};
/** Entra's app role assignment as a JSON document inside a string (§22). */
const wrapped = (value: string) =>
  JSON.stringify({ id: '06b07648-ecfe-589f-9d2f-6f3b3e4d4b2a', value, displayName: value });

describe('roles', () => {
  it('accepts the SingleAppRoleAssignment POST shape (§22) with the value canonical', () => {
    const doc = user({ roles: [{ primary: true, type: ROLE_TYPE, value: 'admin' }] });
    expect(doc.roles).toEqual([{ value: 'Admin', type: ROLE_TYPE, primary: true }]);
  });

  it('accepts the AppRoleAssignmentsComplex POST shape (§22), primary as true/false or "True"/"false"', () => {
    const doc = user({
      roles: [
        { primary: false, type: ROLE_TYPE, display: 'Admin', value: 'Admin' },
        { primary: 'false', type: ROLE_TYPE, display: 'Read only', value: 'READONLY' },
        { primary: 'True', value: 'EnterpriseAdmin' },
      ],
    });
    expect(doc.roles).toEqual([
      { value: 'Admin', display: 'Admin', type: ROLE_TYPE, primary: false },
      { value: 'ReadOnly', display: 'Read only', type: ROLE_TYPE, primary: false },
      { value: 'EnterpriseAdmin', primary: true },
    ]);
  });

  it('unwraps a JSON document inside the value string, de-duplicates and keeps one primary', () => {
    const doc = user({
      roles: [
        { value: wrapped('User'), primary: true },
        { value: 'user' },
        { value: 'Admin', primary: true },
      ],
    });
    expect(doc.roles).toEqual([
      { value: 'User', display: 'User', primary: true },
      { value: 'Admin', primary: false },
    ]);
  });

  it('keeps an empty roles list as sent', () => {
    expect(user({ roles: [] }).roles).toEqual([]);
  });

  it.each([
    [[{ value: 'Owner' }], "roles[0].value 'Owner' is not an allowed role"],
    [[{ value: wrapped('Superuser') }], "roles[0].value 'Superuser' is not an allowed role"],
    [[{ value: '{not json' }], "roles[0].value '{not json' is not an allowed role"],
    [[{ primary: true }], 'roles[0].value'],
    [[{ value: 'Admin', primary: 'maybe' }], 'roles[0].primary must be a boolean'],
  ])('refuses roles %j with invalidValue naming the value and the allowed ones', (roles, message) => {
    const error = errorOf(() => user({ roles }));
    expect(error.scimType).toBe('invalidValue');
    expect(error.detail).toContain(message);
    if (message.includes('not an allowed role'))
      expect(error.detail).toContain('ReadOnly, User, Admin, EnterpriseAdmin');
  });

  describe('PATCH', () => {
    const withRoles = () =>
      user({
        roles: [
          { value: 'Admin', display: 'Admin', type: ROLE_TYPE, primary: false },
          { value: 'User', display: 'User', type: ROLE_TYPE, primary: false },
        ],
      });

    it('adds the §22 SingleAppRoleAssignment PATCH (a JSON document inside the value string)', () => {
      const out = patch(user(), {
        op: 'Add',
        path: 'roles',
        value: [
          {
            value: '{"id":"06b07648-ecfe-589f-9d2f-6f3b3e4d4b2a","value":"Admin","displayName":"Admin"}',
          },
        ],
      });
      expect(out.roles).toEqual([{ value: 'Admin', display: 'Admin', primary: false }]);
    });

    it('adds without duplicating a role already there, and adds path-less', () => {
      expect(patch(withRoles(), { op: 'Add', path: 'roles', value: [{ value: 'admin' }] }).roles).toEqual(
        withRoles().roles,
      );
      const out = patch(withRoles(), {
        op: 'add',
        value: { roles: [{ value: 'ReadOnly', primary: 'false' }] },
      });
      expect((out.roles as Array<{ value: string }>).map((r) => r.value)).toEqual([
        'Admin',
        'User',
        'ReadOnly',
      ]);
    });

    it('replaces all roles with a path and without one', () => {
      const expected = [{ value: 'EnterpriseAdmin', primary: false }];
      expect(
        patch(withRoles(), { op: 'Replace', path: 'roles', value: [{ value: 'enterpriseadmin' }] }).roles,
      ).toEqual(expected);
      expect(
        patch(withRoles(), { op: 'Replace', value: { roles: [{ value: wrapped('EnterpriseAdmin') }] } })
          .roles,
      ).toEqual([{ value: 'EnterpriseAdmin', display: 'EnterpriseAdmin', primary: false }]);
    });

    it('removes only the listed roles (also listed as JSON documents), and all roles without a value', () => {
      const out = patch(withRoles(), { op: 'Remove', path: 'roles', value: [{ value: wrapped('Admin') }] });
      expect(out.roles).toEqual([{ value: 'User', display: 'User', type: ROLE_TYPE, primary: false }]);
      expect(
        patch(withRoles(), { op: 'Remove', path: 'roles', value: [{ value: 'ADMIN' }, { value: 'Nope' }] })
          .roles,
      ).toEqual(out.roles);
      expect(patch(withRoles(), { op: 'Remove', path: 'roles' })).not.toHaveProperty('roles');
    });

    it('replaces the primary role through roles[primary eq "True"].value, creating it when missing', () => {
      const created = patch(user(), {
        op: 'Replace',
        path: 'roles[primary eq "True"].value',
        value: 'Admin',
      });
      expect(created.roles).toEqual([{ value: 'Admin', primary: true }]);
      const replaced = patch(
        user({ roles: [{ value: 'Admin', display: 'Admin', type: ROLE_TYPE, primary: true }] }),
        { op: 'Replace', path: 'roles[primary eq "True"].value', value: wrapped('ReadOnly') },
      );
      expect(replaced.roles).toEqual([
        { value: 'ReadOnly', display: 'ReadOnly', type: ROLE_TYPE, primary: true },
      ]);
      // Also with the flag's lowercase op and boolean literal.
      const lower = patch(user({ roles: [{ value: 'Admin', primary: true }] }), {
        op: 'add',
        path: 'Roles[Primary eq true].Value',
        value: 'user',
      });
      expect(lower.roles).toEqual([{ value: 'User', primary: true }]);
    });

    it('removes the primary role through roles[primary eq "True"].value and a role through roles[value eq …]', () => {
      const doc = user({ roles: [{ value: 'Admin', primary: true }, { value: 'User' }] });
      expect(patch(doc, { op: 'Remove', path: 'roles[primary eq "True"].value' }).roles).toEqual([
        { value: 'User', primary: false },
      ]);
      expect(patch(doc, { op: 'remove', path: 'roles[value eq "user"]' }).roles).toEqual([
        { value: 'Admin', primary: true },
      ]);
    });

    it.each([
      [{ op: 'Add', path: 'roles', value: [{ value: 'Owner' }] }, "'Owner' is not an allowed role"],
      [{ op: 'Add', path: 'roles', value: [{ value: wrapped('Owner') }] }, "'Owner' is not an allowed role"],
      [
        { op: 'Replace', path: 'roles[primary eq "True"].value', value: 'Root' },
        "'Root' is not an allowed role",
      ],
      [{ op: 'replace', value: { roles: [{ value: 'x' }] } }, "'x' is not an allowed role"],
    ])('refuses %j before queueing, with invalidValue naming the value', (operation, message) => {
      const error = errorOf(() => normalizePatchRequest(patchBody(operation), USER_RESOURCE_TYPE));
      expect(error.scimType).toBe('invalidValue');
      expect(error.detail).toContain(message);
    });

    it('refuses role filters it cannot evaluate with invalidPath', () => {
      const error = errorOf(() =>
        normalizePatchRequest(patchBody({ op: 'remove', path: 'roles[value co "Ad"]' }), USER_RESOURCE_TYPE),
      );
      expect(error.scimType).toBe('invalidPath');
    });
  });
});

describe('userType', () => {
  it.each([
    ['premium', 'Premium'],
    ['STANDARD', 'Standard'],
    [' Standard ', 'Standard'],
  ])('stores %j as %j', (sent, stored) => {
    expect(user({ userType: sent }).userType).toBe(stored);
  });

  it('leaves an absent, null or blank userType absent', () => {
    expect(user()).not.toHaveProperty('userType');
    expect(user({ userType: null })).not.toHaveProperty('userType');
    expect(user({ userType: '' })).not.toHaveProperty('userType');
  });

  it.each([['Gold'], ['Premium Plus']])('refuses %j with invalidValue saying what is allowed', (userType) => {
    const error = errorOf(() => user({ userType }));
    expect(error.scimType).toBe('invalidValue');
    expect(error.detail).toBe(`userType '${userType}' is not allowed: use Premium or Standard`);
  });

  it('refuses a userType that is not a string', () => {
    expect(errorOf(() => user({ userType: 7 })).detail).toBe('userType must be a string');
  });

  it('validates a PATCH replace the same way, with a path and without one', () => {
    expect(
      patch(user({ userType: 'Standard' }), { op: 'Replace', path: 'userType', value: 'premium' }).userType,
    ).toBe('Premium');
    expect(patch(user(), { op: 'replace', value: { userType: 'STANDARD' } }).userType).toBe('Standard');
    for (const operation of [
      { op: 'Replace', path: 'userType', value: 'Gold' },
      { op: 'replace', value: { userType: 'Gold' } },
    ]) {
      const error = errorOf(() => normalizePatchRequest(patchBody(operation), USER_RESOURCE_TYPE));
      expect(error.detail).toBe("userType 'Gold' is not allowed: use Premium or Standard");
    }
    // IAM re-checks what it applies (a command queued before the gateway checked it).
    expect(() =>
      normalizeUserDocument(applyPatch(user(), [{ op: 'replace', path: 'userType', value: 'Gold' }])),
    ).toThrow('use Premium or Standard');
  });
});

describe('folders (urn:…:2.0:CustomExtensionName:folders)', () => {
  it('accepts POST nested under the schema URN: trimmed, empties dropped, de-duplicated, URN in schemas', () => {
    const doc = user({
      schemas: [USER_SCHEMA, FOLDERS_SCHEMA],
      [FOLDERS_SCHEMA]: { folders: [' Folder 1', 'Folder 2 ', '', 'Folder 1'] },
    });
    expect(doc[FOLDERS_SCHEMA]).toEqual({ folders: ['Folder 1', 'Folder 2'] });
    expect(doc.schemas).toEqual([USER_SCHEMA, FOLDERS_SCHEMA]);
  });

  it("splits a single comma-separated string and maps Microsoft's naming pattern to the canonical URN", () => {
    const doc = user({
      schemas: [USER_SCHEMA, MS_FOLDERS],
      [`${MS_FOLDERS}:folders`]: 'Folder 1, Folder 2,,',
    });
    expect(doc[FOLDERS_SCHEMA]).toEqual({ folders: ['Folder 1', 'Folder 2'] });
    expect(doc.schemas).toEqual([USER_SCHEMA, FOLDERS_SCHEMA]);
    expect(doc).not.toHaveProperty([MS_FOLDERS]);
  });

  it('leaves the extension out when no folder remains', () => {
    const doc = user({ [FOLDERS_SCHEMA]: { folders: [' ', ''] } });
    expect(doc).not.toHaveProperty([FOLDERS_SCHEMA]);
    expect(doc.schemas).toEqual([USER_SCHEMA]);
  });

  it('refuses a folder value that is not a string', () => {
    expect(errorOf(() => user({ [FOLDERS_SCHEMA]: { folders: [{ a: 1 }] } })).scimType).toBe('invalidValue');
    expect(errorOf(() => user({ [FOLDERS_SCHEMA]: 'x' })).detail).toBe(`${FOLDERS_SCHEMA} must be an object`);
  });

  it('PATCHes with the full attribute path, path-less by schema URN or attribute URN, and the Microsoft URN', () => {
    const doc = user({ [FOLDERS_SCHEMA]: { folders: ['A'] } });
    const path = `${FOLDERS_SCHEMA}:folders`;
    expect(patch(doc, { op: 'Add', path, value: [' B', 'A'] })[FOLDERS_SCHEMA]).toEqual({
      folders: ['A', 'B'],
    });
    expect(patch(doc, { op: 'Replace', path, value: ['C ', ' D'] })[FOLDERS_SCHEMA]).toEqual({
      folders: ['C', 'D'],
    });
    expect(
      patch(doc, { op: 'replace', value: { [FOLDERS_SCHEMA]: { folders: ['E'] } } })[FOLDERS_SCHEMA],
    ).toEqual({
      folders: ['E'],
    });
    expect(patch(doc, { op: 'replace', value: { [path]: 'F, G' } })[FOLDERS_SCHEMA]).toEqual({
      folders: ['F', 'G'],
    });
    expect(patch(doc, { op: 'Add', path: `${MS_FOLDERS}:folders`, value: ['H'] })[FOLDERS_SCHEMA]).toEqual({
      folders: ['A', 'H'],
    });
    expect(patch(doc, { op: 'add', value: { [MS_FOLDERS]: { folders: ['I'] } } })[FOLDERS_SCHEMA]).toEqual({
      folders: ['A', 'I'],
    });
  });

  it('removes listed folders, all folders, or the whole extension', () => {
    const doc = user({ [FOLDERS_SCHEMA]: { folders: ['A', 'B'] } });
    const path = `${FOLDERS_SCHEMA}:folders`;
    expect(patch(doc, { op: 'Remove', path, value: [' A'] })[FOLDERS_SCHEMA]).toEqual({ folders: ['B'] });
    for (const removed of [
      patch(doc, { op: 'Remove', path }),
      patch(doc, { op: 'remove', path: FOLDERS_SCHEMA }),
    ]) {
      expect(removed).not.toHaveProperty([FOLDERS_SCHEMA]);
      expect(removed.schemas).toEqual([USER_SCHEMA]);
    }
  });
});

describe('metadata (urn:…:2.0:Metadata:{key})', () => {
  it('accepts POST nested and as full attribute URNs, converting other JSON values to strings', () => {
    const doc = user({
      schemas: [USER_SCHEMA, METADATA_SCHEMA],
      [METADATA_SCHEMA]: { costCenter: 42, remote: true, badge: { floor: 3 }, empty: null },
      [`${METADATA_SCHEMA}:region`]: 'EMEA',
    });
    expect(doc[METADATA_SCHEMA]).toEqual({
      costCenter: '42',
      remote: 'true',
      badge: '{"floor":3}',
      region: 'EMEA',
    });
    expect(doc.schemas).toEqual([USER_SCHEMA, METADATA_SCHEMA]);
  });

  it('treats keys that differ only in case as one key (the first spelling stays)', () => {
    const doc = user({ [METADATA_SCHEMA]: { costCenter: '1' }, [`${METADATA_SCHEMA}:COSTCENTER`]: '2' });
    expect(doc[METADATA_SCHEMA]).toEqual({ costCenter: '2' });
  });

  it.each([['bad key'], ['1st'], ['constructor'], ['k'.repeat(129)], ['a.b']])(
    'refuses the key %j with invalidValue',
    (key) => {
      const error = errorOf(() => user({ [METADATA_SCHEMA]: { [key]: 'x' } }));
      expect(error.scimType).toBe('invalidValue');
    },
  );

  it('PATCHes one key by its full attribute path, path-less by schema URN or attribute URN; removes keys', () => {
    const doc = user({ [METADATA_SCHEMA]: { costCenter: '1', region: 'EMEA' } });
    expect(
      patch(doc, { op: 'Replace', path: `${METADATA_SCHEMA}:costcenter`, value: 7 })[METADATA_SCHEMA],
    ).toEqual({ costCenter: '7', region: 'EMEA' });
    expect(
      patch(doc, { op: 'add', value: { [METADATA_SCHEMA]: { team: 'Blue' } } })[METADATA_SCHEMA],
    ).toEqual({
      costCenter: '1',
      region: 'EMEA',
      team: 'Blue',
    });
    expect(
      patch(doc, { op: 'replace', value: { [`${METADATA_SCHEMA}:region`]: 'APAC' } })[METADATA_SCHEMA],
    ).toEqual({
      costCenter: '1',
      region: 'APAC',
    });
    expect(patch(doc, { op: 'Remove', path: `${METADATA_SCHEMA}:Region` })[METADATA_SCHEMA]).toEqual({
      costCenter: '1',
    });
    const cleared = patch(doc, { op: 'remove', path: METADATA_SCHEMA });
    expect(cleared).not.toHaveProperty([METADATA_SCHEMA]);
    expect(cleared.schemas).toEqual([USER_SCHEMA]);
  });

  it('refuses a PATCH on an invalid key before queueing', () => {
    expect(() =>
      normalizePatchRequest(
        patchBody({ op: 'add', value: { [METADATA_SCHEMA]: { 'bad key': 'x' } } }),
        USER_RESOURCE_TYPE,
      ),
    ).toThrow(ScimError);
  });
});

describe('enterprise manager as Entra sends it (§14)', () => {
  const managerPath = `${ENTERPRISE_USER_SCHEMA}:manager`;
  const manager = (doc: Record<string, unknown>) =>
    (doc[ENTERPRISE_USER_SCHEMA] as Record<string, unknown>)?.manager;

  it.each([
    ['a bare id with a path', { op: 'Add', path: managerPath, value: 'mgr-1' }],
    ['{value} with a path', { op: 'Replace', path: managerPath, value: { value: 'mgr-1' } }],
    ['a bare id path-less under the attribute URN', { op: 'replace', value: { [managerPath]: 'mgr-1' } }],
    [
      '{value} path-less under the attribute URN',
      { op: 'Add', value: { [managerPath]: { value: 'mgr-1' } } },
    ],
    [
      'a bare id path-less under the schema URN',
      { op: 'replace', value: { [ENTERPRISE_USER_SCHEMA]: { manager: 'mgr-1' } } },
    ],
    ['manager.value with a path', { op: 'replace', path: `${managerPath}.value`, value: 'mgr-1' }],
  ])('sets the manager from %s', (_shape, operation) => {
    expect(manager(patch(user(), operation))).toEqual({ value: 'mgr-1' });
  });

  it('removes the manager with Remove and an empty value, keeping the other enterprise attributes', () => {
    const doc = user({ [ENTERPRISE_USER_SCHEMA]: { department: 'Sales', manager: 'mgr-1' } });
    for (const operation of [
      { op: 'Remove', path: managerPath, value: '' },
      { op: 'Remove', path: managerPath },
      { op: 'Replace', path: managerPath, value: '' },
    ]) {
      expect(patch(doc, operation)[ENTERPRISE_USER_SCHEMA]).toEqual({ department: 'Sales' });
    }
  });
});

describe('the policy view and defaults (what IAM builds on)', () => {
  it('reads canonical values from a normalised document', () => {
    const doc = user({
      roles: [{ value: 'admin' }, { value: 'READONLY', primary: true }],
      userType: 'premium',
      [FOLDERS_SCHEMA]: { folders: ['A'] },
      [METADATA_SCHEMA]: { costCenter: 42 },
    });
    expect(userPolicyView(doc)).toEqual({
      roles: ['Admin', 'ReadOnly'],
      userType: 'Premium',
      folders: ['A'],
      metadata: { costCenter: '42' },
    });
    expect(userPolicyView(user())).toEqual({ roles: [], folders: [], metadata: {} });
  });

  it('applies defaults only where the document has none, without touching the original', () => {
    const bare = user({ roles: [] });
    const defaulted = withUserDefaults(bare, { role: 'User', userType: 'Standard' });
    expect(defaulted.roles).toEqual([{ value: 'User', primary: true }]);
    expect(defaulted.userType).toBe('Standard');
    expect(bare.roles).toEqual([]);
    const set = user({ roles: [{ value: 'Admin' }], userType: 'Premium' });
    expect(withUserDefaults(set, { role: 'User', userType: 'Standard' })).toEqual(set);
    expect(normalizeUserDocument(defaulted)).toEqual(defaulted);
  });

  it('sets the folders to exactly the given values, or removes the extension', () => {
    const doc = user({ [FOLDERS_SCHEMA]: { folders: ['ext-1'] } });
    const rewritten = withFolders(doc, ['3f1c2a7e-0000-4000-8000-000000000001']);
    expect(rewritten[FOLDERS_SCHEMA]).toEqual({ folders: ['3f1c2a7e-0000-4000-8000-000000000001'] });
    expect(rewritten.schemas).toEqual([USER_SCHEMA, FOLDERS_SCHEMA]);
    const none = withFolders(doc, []);
    expect(none).not.toHaveProperty([FOLDERS_SCHEMA]);
    expect(none.schemas).toEqual([USER_SCHEMA]);
  });

  it('canonicalises role and user type names ignoring case', () => {
    expect(canonicalRole('enterpriseADMIN')).toBe('EnterpriseAdmin');
    expect(canonicalRole('Owner')).toBeUndefined();
    expect(canonicalUserType('standard')).toBe('Standard');
    expect(canonicalUserType('Basic')).toBeUndefined();
  });

  it('a normalised document is a fixed point (a PATCH that changes nothing changes nothing)', () => {
    const doc = user({
      schemas: [USER_SCHEMA, FOLDERS_SCHEMA, METADATA_SCHEMA],
      roles: [{ value: 'Admin', primary: 'True', type: ROLE_TYPE }],
      userType: 'premium',
      [FOLDERS_SCHEMA]: { folders: ['A'] },
      [METADATA_SCHEMA]: { costCenter: '42' },
    });
    expect(normalizeUserDocument(doc)).toEqual(doc);
    expect(patch(doc, { op: 'Add', path: `${FOLDERS_SCHEMA}:folders`, value: ['A'] })).toEqual(doc);
    expect(patch(doc, { op: 'Add', path: 'roles', value: [{ value: 'admin' }] })).toEqual(doc);
  });
});
