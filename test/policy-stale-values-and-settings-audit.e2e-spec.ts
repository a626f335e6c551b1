import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { http, ScimStack, startScimStack } from '@test/support';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const FOLDERS = 'urn:ietf:params:scim:schemas:extension:2.0:CustomExtensionName';
const METADATA = 'urn:ietf:params:scim:schemas:extension:2.0:Metadata';

describe('tenant policy over stored documents from before it, and the audit of settings changes', () => {
  let s: ScimStack;
  const admin = (body?: unknown) => ({ token: s.platformToken, tenantId: s.tenantId, body });
  const settings = (method: string, body?: unknown, query = '') =>
    http(s.iam.url, method, `/v1/provisioning/settings${query}`, admin(body));
  const audit = async (query: string) =>
    (await http(s.iam.url, 'GET', `/v1/audit/provisioning?${query}`, admin())).body.items;
  const patch = (id: string, Operations: unknown[]) =>
    s.scim('PATCH', `/Users/${id}`, { schemas: [PATCH_OP], Operations });

  beforeAll(async () => {
    s = await startScimStack();
  });
  afterAll(() => s?.close());

  describe('an Entra PATCH of a user stored before the policy', () => {
    /** A user as an earlier version stored it: values the policy now refuses, then the policy turned on strictly. */
    const legacyUser = async (document: Record<string, unknown>) => {
      const created = await s.scim('POST', '/Users', {
        schemas: [USER],
        userName: `legacy-${randomUUID()}@contoso.com`,
        userType: 'Standard',
      });
      expect(created.status).toBe(201);
      const db = s.iam.app.get(DataSource);
      const [row] = await db.query(`SELECT document FROM subjects WHERE id = $1`, [created.body.id]);
      const { userType: _userType, ...untyped } = row.document;
      await db.query(`UPDATE subjects SET document = $2 WHERE id = $1`, [
        created.body.id,
        { ...untyped, ...document },
      ]);
      return created.body.id as string;
    };

    beforeAll(async () => {
      // Strict: no defaults, unknown folders refused, no metadata key allowed.
      const res = await settings('PUT', { ignoreUnknownFolders: false, allowedMetadataKeys: [] });
      expect(res.status).toBe(200);
    });

    it('deactivates it: stale roles and userType are dropped or made canonical, recorded as decisions', async () => {
      const id = await legacyUser({
        roles: [{ value: 'Owner' }, { value: 'admin', primary: true }],
        userType: 'premium',
        [FOLDERS]: { folders: ['deleted-folder'] },
        [METADATA]: { legacyKey: 'x' },
      });
      const res = await patch(id, [{ op: 'Replace', path: 'active', value: 'False' }]);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ active: false, userType: 'Premium' });
      expect(res.body.roles).toEqual([expect.objectContaining({ value: 'Admin' })]);
      // Kept as stored: the folder value Entra sent earlier, the metadata key.
      expect(res.body[FOLDERS]).toEqual({ folders: ['deleted-folder'] });
      expect(res.body[METADATA]).toEqual({ legacyKey: 'x' });
      const [entry] = await audit(`subjectId=${id}&operation=patch`);
      expect(entry).toMatchObject({ outcome: 'success', status: 200 });
      expect(entry.decisions).toEqual(
        expect.arrayContaining([
          'stored roles[0] dropped: not an allowed role',
          "stored folder 'deleted-folder' names no folder (deleted since?): ignored",
        ]),
      );
    });

    it('deactivates one stored without a userType, or with one that cannot be canonical', async () => {
      const none = await legacyUser({});
      const gold = await legacyUser({ userType: 'Gold' });
      for (const id of [none, gold]) {
        const res = await patch(id, [{ op: 'replace', value: { active: false } }]);
        expect({ id, status: res.status, detail: res.body.detail }).toEqual({
          id,
          status: 200,
          detail: undefined,
        });
        expect(res.body.userType).toBeUndefined();
      }
      const [entry] = await audit(`subjectId=${gold}&operation=patch`);
      expect(entry.decisions).toEqual([
        'stored userType dropped: neither Premium nor Standard',
        'no userType (stored before the policy): not required of a PATCH that leaves it',
      ]);
    });

    it('still refuses what the PATCH itself brings: a bad role, a bad userType, its removal, unknown folders and keys', async () => {
      const id = await legacyUser({ roles: [{ value: 'Owner' }], userType: 'Standard' });
      const refusals: Array<[unknown[], RegExp]> = [
        [[{ op: 'add', path: 'roles', value: [{ value: 'Owner' }] }], /'Owner' is not an allowed role/],
        [[{ op: 'replace', path: 'userType', value: 'Gold' }], /userType 'Gold'/],
        [[{ op: 'remove', path: 'userType' }], /userType is required/],
        [[{ op: 'add', path: `${FOLDERS}:folders`, value: ['nowhere'] }], /'nowhere' is not a folder/],
        [[{ op: 'add', path: `${METADATA}:costCenter`, value: '42' }], /'costCenter' is not allowed/],
      ];
      for (const [operations, detail] of refusals) {
        const res = await patch(id, operations);
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({ scimType: 'invalidValue', detail: expect.stringMatching(detail) });
      }
      // Nothing of it was written: the stored document is the legacy one.
      const [row] = await s.iam.app
        .get(DataSource)
        .query(`SELECT document FROM subjects WHERE id = $1`, [id]);
      expect(row.document.roles).toEqual([{ value: 'Owner' }]);
    });
  });

  describe('settings changes in the provisioning audit log', () => {
    it('records create, replace and delete with the changed field names and the operator, no values', async () => {
      const before = new Date().toISOString();
      expect(
        (await settings('PUT', { defaultRole: 'User', defaultUserType: 'Standard' }, '?provider=entra'))
          .status,
      ).toBe(200);
      expect(
        (await settings('PUT', { defaultRole: 'Admin', defaultUserType: 'Standard' }, '?provider=entra'))
          .status,
      ).toBe(200);
      expect((await settings('DELETE', undefined, '?provider=entra')).status).toBe(204);
      const entries = await audit(`resourceType=ProvisioningSettings&from=${encodeURIComponent(before)}`);
      expect(entries.map((e: any) => [e.operation, e.status, e.changedAttributes])).toEqual([
        ['delete', 204, ['defaultRole', 'defaultUserType']],
        ['replace', 200, ['defaultRole']],
        ['create', 200, ['defaultRole', 'defaultUserType']],
      ]);
      for (const entry of entries) {
        expect(entry).toMatchObject({
          source: 'admin',
          resourceType: 'ProvisioningSettings',
          resourceId: 'entra',
          provider: 'entra',
          outcome: 'success',
          userName: null,
          actor: expect.any(String),
        });
        expect(JSON.stringify(entry)).not.toMatch(/Admin"|Standard/);
      }
      // The tenant's own settings: no resource id.
      expect(
        (await settings('PUT', { requireVerifiedDomain: false, allowedMetadataKeys: ['a'] })).status,
      ).toBe(200);
      const [own] = await audit('resourceType=ProvisioningSettings');
      expect(own).toMatchObject({
        operation: 'replace',
        resourceId: null,
        changedAttributes: ['allowedMetadataKeys'],
      });
    });

    it('events every change as tenant.provisioning-settings-changed, sequenced per tenant, in its transaction', async () => {
      const db = s.iam.app.get(DataSource);
      const tenantEvents = async () =>
        (
          await db.query(
            `SELECT event, sequence FROM subject_events WHERE aggregate_id = $1 ORDER BY sequence`,
            [s.tenantId],
          )
        ).map((r: { event: Record<string, unknown>; sequence: string }) => ({
          ...r.event,
          sequence: Number(r.sequence),
        }));
      const seen = (await tenantEvents()).length;
      expect(
        (await settings('PUT', { defaultRole: 'ReadOnly', defaultUserType: 'Premium' }, '?provider=entra'))
          .status,
      ).toBe(200);
      expect((await settings('DELETE', undefined, '?provider=entra')).status).toBe(204);
      expect((await settings('PUT', { defaultRole: 'Owner' })).status).toBe(400); // refused: no event
      const events = (await tenantEvents()).slice(seen);
      expect(events).toMatchObject([
        {
          type: 'tenant.provisioning-settings-changed',
          tenantId: s.tenantId,
          provider: 'entra',
          source: 'admin',
          changedAttributes: ['defaultRole', 'defaultUserType'],
          state: { defaultRole: 'ReadOnly', defaultUserType: 'Premium', requireVerifiedDomain: false },
        },
        { type: 'tenant.provisioning-settings-changed', provider: 'entra', state: null },
      ]);
      expect((events[1]!.sequence as number) - (events[0]!.sequence as number)).toBe(1);
      expect(events[0]).not.toHaveProperty('subjectId');
    });

    it('records nothing for a refused change', async () => {
      const before = (await audit('resourceType=ProvisioningSettings')).length;
      expect((await settings('DELETE', undefined, '?provider=entra')).status).toBe(404);
      expect((await settings('PUT', { defaultRole: 'Owner' })).status).toBe(400);
      expect((await audit('resourceType=ProvisioningSettings')).length).toBe(before);
    });
  });
});
