import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { SubjectEvent, SubjectEventType } from '@app/contracts';
import { SubjectEventConsumer } from '@app/events';
import { FOLDERS_SCHEMA, METADATA_SCHEMA } from '@app/scim';
import { eventually, http, HttpResult, ScimStack, startScimStack } from '@test/support';
import { IamTokensService } from '../apps/iam-admin/src/sso-login/iam-tokens.service';
import { SubjectsRepository } from '../apps/iam-admin/src/subjects/subjects.repository';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/**
 * Issue 12 parts 1–4 (IAM side) through the real gateway and IAM: provisioning settings, the policy
 * the user command handler applies (default role, userType, folders, metadata keys, verified
 * domains), folders, and what events, operator views and IAM access tokens show.
 */
describe('tenant provisioning policy', () => {
  let s: ScimStack;
  const admin = (body?: unknown) => ({ token: s.platformToken, tenantId: s.tenantId, body });
  const settings = (method: 'GET' | 'PUT' | 'DELETE', body?: unknown, query = '') =>
    http(s.iam.url, method, `/v1/provisioning/settings${query}`, admin(body));
  const createUser = (extra: Record<string, unknown> = {}): Promise<HttpResult> =>
    s.scim('POST', '/Users', {
      schemas: [USER],
      userName: `p-${randomUUID().slice(0, 8)}@contoso.com`,
      ...extra,
    });
  const subjectView = async (id: string) =>
    (await http(s.iam.url, 'GET', `/v1/subjects/${id}`, admin())).body;

  beforeAll(async () => {
    s = await startScimStack();
  });
  afterAll(() => s?.close());

  describe('settings', () => {
    it('reads the defaults (policy off) before any are saved', async () => {
      const res = await settings('GET');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        provider: null,
        settingsOf: 'none',
        defaultRole: null,
        defaultUserType: null,
        requireVerifiedDomain: false,
        ignoreUnknownFolders: false,
        allowedMetadataKeys: null,
        version: 0,
        updatedAt: null,
        updatedBy: null,
      });
    });

    it.each([
      [{ defaultRole: 'Owner' }, 'defaultRole'],
      [{ defaultUserType: 'Gold' }, 'defaultUserType'],
      [{ requireVerifiedDomain: 'yes' }, 'requireVerifiedDomain'],
      [{ allowedMetadataKeys: ['cost center'] }, 'allowedMetadataKeys'],
      [{ allowedMetadataKeys: ['costCenter', 'COSTCENTER'] }, 'allowedMetadataKeys'],
      [{ allowedMetadataKeys: ['__proto__'] }, 'allowedMetadataKeys'],
      [{ defaultGroup: 'x' }, 'defaultGroup'],
    ])('refuses %j with 400 naming the field', async (body, field) => {
      const res = await settings('PUT', body);
      expect(res.status).toBe(400);
      expect(res.body.message).toContain(field);
      expect((await settings('GET')).body.version).toBe(0);
    });

    it('refuses an override for a provider the tenant does not have (404)', async () => {
      expect((await settings('PUT', {}, '?provider=nope')).status).toBe(404);
      expect((await settings('GET', undefined, '?provider=nope')).status).toBe(404);
    });

    it('is tenant-scoped: a platform token must name the tenant', async () => {
      const res = await http(s.iam.url, 'GET', '/v1/provisioning/settings', { token: s.platformToken });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    });
  });

  describe('policy on SCIM writes', () => {
    it('without saved settings a user needs no userType and gets no role: app access only', async () => {
      const res = await createUser();
      expect(res.status).toBe(201);
      expect(res.body.userType).toBeUndefined();
      expect(res.body.roles).toBeUndefined();
      expect(await subjectView(res.body.id)).toMatchObject({
        roles: [],
        userType: null,
        access: { app: true, portal: false },
        managedBy: 'scim',
        folders: [],
      });
    });

    it('once settings are saved, a user without userType is refused unless a defaultUserType supplies one', async () => {
      const saved = await settings('PUT', { defaultRole: 'user' });
      expect(saved.status).toBe(200);
      expect(saved.body).toMatchObject({
        settingsOf: 'tenant',
        defaultRole: 'User',
        defaultUserType: null,
        version: 1,
      });
      expect(saved.body.updatedBy).toEqual(expect.any(String));

      const refused = await createUser();
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ scimType: 'invalidValue' });
      expect(refused.body.detail).toContain('userType is required: Premium or Standard');
      expect((await createUser({ userType: 'Gold' })).status).toBe(400);

      expect(
        (await settings('PUT', { defaultRole: 'User', defaultUserType: 'standard' })).body,
      ).toMatchObject({
        defaultUserType: 'Standard',
        version: 2,
      });
      const created = await createUser();
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ userType: 'Standard', roles: [{ value: 'User', primary: true }] });
      expect(await subjectView(created.body.id)).toMatchObject({
        roles: ['User'],
        userType: 'Standard',
        access: { app: true, portal: true },
      });
      // A user that has them keeps them (canonical).
      const own = await createUser({ userType: 'PREMIUM', roles: [{ value: 'enterpriseadmin' }] });
      expect(own.body).toMatchObject({ userType: 'Premium', roles: [{ value: 'EnterpriseAdmin' }] });
    });

    it('a PATCH that removes userType gets the default back; refused when there is none', async () => {
      const created = (await createUser({ userType: 'Premium' })).body;
      const remove = { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: 'userType' }] };
      const patched = await s.scim('PATCH', `/Users/${created.id}`, remove);
      expect(patched.status).toBe(200);
      expect(patched.body.userType).toBe('Standard');

      await settings('PUT', { defaultRole: 'User' });
      const again = await createUser({ userType: 'Premium' });
      const refused = await s.scim('PATCH', `/Users/${again.body.id}`, remove);
      expect(refused.status).toBe(400);
      expect(refused.body.detail).toContain('userType is required');
      expect((await s.scim('GET', `/Users/${again.body.id}`)).body.userType).toBe('Premium');
      await settings('PUT', { defaultRole: 'User', defaultUserType: 'Standard' });
    });

    it("a provider's override governs its SCIM commands; removing it restores the tenant's", async () => {
      const override = await settings(
        'PUT',
        { defaultRole: 'ReadOnly', defaultUserType: 'Premium' },
        '?provider=entra',
      );
      expect(override.body).toMatchObject({ provider: 'entra', settingsOf: 'provider', version: 1 });
      expect((await createUser()).body).toMatchObject({
        userType: 'Premium',
        roles: [{ value: 'ReadOnly' }],
      });

      expect((await settings('DELETE', undefined, '?provider=entra')).status).toBe(204);
      expect((await settings('GET', undefined, '?provider=entra')).body).toMatchObject({
        provider: 'entra',
        settingsOf: 'tenant',
        defaultUserType: 'Standard',
      });
      expect((await createUser()).body).toMatchObject({ userType: 'Standard', roles: [{ value: 'User' }] });
    });

    it('metadata keys: any while open; only the allowed ones (ignoring case) once restricted', async () => {
      expect((await createUser({ [`${METADATA_SCHEMA}:anything`]: 'x' })).status).toBe(201);
      await settings('PUT', { defaultUserType: 'Standard', allowedMetadataKeys: ['costCenter'] });
      const allowed = await createUser({ [`${METADATA_SCHEMA}:CostCenter`]: 42 });
      expect(allowed.status).toBe(201);
      expect(await subjectView(allowed.body.id)).toMatchObject({ metadata: { CostCenter: '42' } });
      const refused = await createUser({ [`${METADATA_SCHEMA}:salary`]: '100' });
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ scimType: 'invalidValue' });
      expect(refused.body.detail).toContain("'salary'");
      await settings('PUT', { defaultRole: 'User', defaultUserType: 'Standard' });
    });

    it('requireVerifiedDomain refuses SCIM users of a domain the tenant has not verified, naming it', async () => {
      await settings('PUT', { defaultUserType: 'Standard', requireVerifiedDomain: true });
      const refused = await createUser();
      expect(refused.status).toBe(400);
      expect(refused.body.detail).toContain("'contoso.com'");
      await settings('PUT', { defaultRole: 'User', defaultUserType: 'Standard' });
      expect((await createUser()).status).toBe(201);
    });
  });

  describe('folders', () => {
    let finance: { id: string };
    let sales: { id: string };
    const folders = (method: string, path = '', body?: unknown) =>
      http(s.iam.url, method, `/v1/folders${path}`, admin(body));

    beforeAll(async () => {
      finance = (await folders('POST', '', { displayName: 'Finance', externalId: 'FIN-01' })).body;
      sales = (await folders('POST', '', { displayName: 'Sales' })).body;
    });

    it('creates, lists, renames; duplicates are 409 naming the field; bad input 400', async () => {
      expect(finance).toMatchObject({ displayName: 'Finance', externalId: 'FIN-01' });
      const duplicateName = await folders('POST', '', { displayName: 'FINANCE' });
      expect(duplicateName.status).toBe(409);
      expect(duplicateName.body.message).toContain('displayName');
      const duplicateExternal = await folders('POST', '', { displayName: 'Other', externalId: 'fin-01' });
      expect(duplicateExternal.status).toBe(409);
      expect(duplicateExternal.body.message).toContain('externalId');
      const comma = await folders('POST', '', { displayName: 'Comma', externalId: 'a,b' });
      expect(comma.status).toBe(400);
      expect(comma.body.message).toContain('externalId');
      expect((await folders('POST', '', {})).body.message).toContain('displayName');

      const page = await folders('GET', '?limit=1');
      expect(page.body).toMatchObject({ total: 2, limit: 1, offset: 0, items: [{ id: finance.id }] });
      const renamed = await folders('PATCH', `/${sales.id}`, {
        displayName: 'Sales EMEA',
        externalId: 'SALES',
      });
      expect(renamed.body).toMatchObject({ id: sales.id, displayName: 'Sales EMEA', externalId: 'SALES' });
      expect((await folders('PATCH', `/${sales.id}`, { displayName: 'finance' })).status).toBe(409);
      expect((await folders('GET', `/${randomUUID()}`)).status).toBe(404);
    });

    it('resolves SCIM folder values by id and externalId; the document keeps them as Entra sent them', async () => {
      const created = await createUser({ [FOLDERS_SCHEMA]: { folders: [finance.id, ' sales '] } });
      expect(created.status).toBe(201);
      expect(created.body[FOLDERS_SCHEMA]).toEqual({ folders: [finance.id, 'sales'] });
      const view = await subjectView(created.body.id);
      expect(view.folders).toEqual([finance.id, sales.id].sort());
      const list = await http(s.iam.url, 'GET', `/v1/subjects/${created.body.id}/folders`, admin());
      expect(list.body.items.map((f: { displayName: string }) => f.displayName).sort()).toEqual([
        'Finance',
        'Sales EMEA',
      ]);
      expect((await http(s.iam.url, 'GET', `/v1/subjects/${randomUUID()}/folders`, admin())).status).toBe(
        404,
      );
    });

    it('refuses an unknown folder naming it, unless the tenant ignores unknown folders', async () => {
      const body = { [FOLDERS_SCHEMA]: { folders: ['FIN-01', 'Nowhere'] } };
      const refused = await createUser(body);
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ scimType: 'invalidValue' });
      expect(refused.body.detail).toContain("'Nowhere'");

      await settings('PUT', { defaultRole: 'User', defaultUserType: 'Standard', ignoreUnknownFolders: true });
      const accepted = await createUser(body);
      expect(accepted.status).toBe(201);
      expect(accepted.body[FOLDERS_SCHEMA]).toEqual({ folders: ['FIN-01', 'Nowhere'] });
      expect((await subjectView(accepted.body.id)).folders).toEqual([finance.id]);
      await settings('PUT', { defaultRole: 'User', defaultUserType: 'Standard' });
    });

    it('deleting a folder takes it out of every subject’s folder set', async () => {
      const doomed = (await folders('POST', '', { displayName: 'Doomed', externalId: 'DOOM' })).body;
      const user = (await createUser({ [FOLDERS_SCHEMA]: { folders: ['DOOM', 'FIN-01'] } })).body;
      expect((await subjectView(user.id)).folders).toContain(doomed.id);
      expect((await folders('DELETE', `/${doomed.id}`)).status).toBe(204);
      expect((await subjectView(user.id)).folders).toEqual([finance.id]);
      expect((await folders('DELETE', `/${doomed.id}`)).status).toBe(404);
    });
  });

  it('subject events carry access, roles, userType, folders, metadata and managedBy', async () => {
    const events: SubjectEvent[] = [];
    const consumer = new SubjectEventConsumer({
      redis: s.iam.env.REDIS_URL,
      queuePrefix: s.iam.env.QUEUE_PREFIX,
      group: `policy-${randomUUID().slice(0, 8)}`,
      startFrom: '0',
      blockMs: 100,
      handle: async (event) => {
        events.push(event);
      },
    });
    await consumer.start();
    try {
      const folder = (
        await http(
          s.iam.url,
          'POST',
          '/v1/folders',
          admin({ displayName: `Events ${randomUUID().slice(0, 6)}` }),
        )
      ).body;
      const user = (
        await createUser({
          [FOLDERS_SCHEMA]: { folders: [folder.id] },
          [`${METADATA_SCHEMA}:division`]: 'R&D',
        })
      ).body;
      await s.scim('PATCH', `/Users/${user.id}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'replace', path: 'roles', value: [{ value: 'Admin', primary: 'True' }] }],
      });
      const ofUser = () => events.filter((e) => e.subjectId === user.id);
      await eventually(() => ofUser().length >= 2);
      const [created, updated] = ofUser();
      expect(created).toMatchObject({
        type: SubjectEventType.SubjectCreated,
        access: { app: true, portal: true },
        roles: ['User'],
        userType: 'Standard',
        folders: [folder.id],
        metadata: { division: 'R&D' },
        managedBy: 'scim',
      });
      // (arrayContaining: libs/scim reorders `schemas` when a PATCH reads a document back from jsonb.)
      expect(updated).toMatchObject({
        type: SubjectEventType.SubjectUpdated,
        roles: ['Admin'],
        access: { app: true, portal: true },
        changedAttributes: expect.arrayContaining(['roles']),
      });
    } finally {
      await consumer.stop();
    }
  });

  it('an IAM access token carries roles, access and user_type as the subject has them when minted', async () => {
    const user = (await createUser({ roles: [{ value: 'Admin' }], userType: 'Premium' })).body;
    const row = await new SubjectsRepository().findLive(s.iam.app.get(DataSource), s.tenantId, user.id);
    const { accessToken } = s.iam.app.get(IamTokensService).issue(row!, 'entra');
    const session = await http(s.iam.url, 'GET', '/v1/session', { token: accessToken });
    expect(session.status).toBe(200);
    expect(session.body).toMatchObject({
      sub: user.id,
      roles: ['Admin'],
      access: { app: true, portal: true },
      user_type: 'Premium',
    });
  });
});
