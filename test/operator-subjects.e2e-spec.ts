import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { createTenant, http, RunningApp, ScimStack, startScimStack, withTenant } from '@test/support';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const METADATA = 'urn:ietf:params:scim:schemas:extension:2.0:Metadata';

describe('operator writes on subjects (POST/PATCH/DELETE /v1/subjects)', () => {
  let s: ScimStack;
  let iam: RunningApp;
  const admin = (body?: unknown) => ({ token: s.platformToken, tenantId: s.tenantId, body });
  const events = (subjectId: string): Promise<Array<{ event: any }>> =>
    iam.app
      .get(DataSource)
      .query(`SELECT event FROM subject_events WHERE aggregate_id = $1 ORDER BY sequence`, [subjectId]);
  /** A user Entra created through the real gateway: SCIM-managed. */
  const scimUser = async () =>
    (
      await s.scim('POST', '/Users', {
        schemas: [USER],
        userName: `entra-${randomUUID()}@contoso.com`,
        externalId: randomUUID(),
        emails: [{ value: 'someone@contoso.com', type: 'work', primary: true }],
      })
    ).body;

  beforeAll(async () => {
    s = await startScimStack();
    iam = s.iam;
  });
  afterAll(() => s?.close());

  it('creates a local subject through the command handler, with its event, seen by SCIM too', async () => {
    const userName = `temp-${randomUUID()}@external.example`;
    const created = await http(iam.url, 'POST', '/v1/subjects', {
      ...admin({
        userName,
        displayName: 'Temporary contractor',
        name: { givenName: 'Tem', familyName: 'Porary' },
        emails: [{ value: userName, type: 'work', primary: true }],
        roles: ['readonly'],
        userType: 'standard',
        metadata: { costCenter: '42' },
        loginMethod: 'entra',
      }),
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      userName,
      displayName: 'Temporary contractor',
      active: true,
      source: 'admin',
      managedBy: null,
      loginMethod: 'entra',
    });
    expect(created.body.invitation).toBeUndefined();
    // The same document SCIM serves: canonical role and userType (the handler's normalisation).
    const seen = await s.scim('GET', `/Users/${created.body.id}`);
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({
      userName,
      userType: 'Standard',
      roles: [expect.objectContaining({ value: 'ReadOnly' })],
      [METADATA]: { costCenter: '42' },
    });
    const [first] = await events(created.body.id);
    expect(first!.event).toMatchObject({ type: 'subject.created', source: 'admin' });
  });

  it('refuses what the policy refuses with the SCIM message as an admin error, and names bad fields', async () => {
    const policy = await http(iam.url, 'POST', '/v1/subjects', {
      ...admin({ userName: `gold-${randomUUID()}@x.example`, userType: 'Gold' }),
    });
    expect(policy.status).toBe(400);
    expect(policy.body).toMatchObject({ statusCode: 400, scimType: 'invalidValue' });
    expect(policy.body.message).toMatch(/userType/);
    expect(policy.body.message).toMatch(/Premium/);

    const invalid = await http(iam.url, 'POST', '/v1/subjects', {
      ...admin({ userName: '', active: 'yes', loginMethod: 'password', emails: [{ value: 7 }] }),
    });
    expect(invalid.status).toBe(400);
    const fields = (invalid.body.errors as Array<{ field: string }>).map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['userName', 'active', 'loginMethod', 'emails.0.value']));
    expect(invalid.body.message).toContain('loginMethod must be one of entra, built-in');

    const unknownField = await http(iam.url, 'POST', '/v1/subjects', {
      ...admin({ userName: `x-${randomUUID()}`, password: 'not-here' }),
    });
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.message).toContain('password');
  });

  it('answers 409 naming userName for a duplicate (case-insensitively)', async () => {
    const userName = `dup-${randomUUID()}@x.example`;
    expect((await http(iam.url, 'POST', '/v1/subjects', admin({ userName }))).status).toBe(201);
    const again = await http(iam.url, 'POST', '/v1/subjects', admin({ userName: userName.toUpperCase() }));
    expect(again.status).toBe(409);
    expect(again.body.message).toMatch(/^userName is already taken/);
  });

  it('patches a local subject: attributes, roles, metadata keys, removals, login method with its event', async () => {
    const { body: subject } = await http(
      iam.url,
      'POST',
      '/v1/subjects',
      admin({ userName: `p-${randomUUID()}@x.example`, displayName: 'Before', metadata: { a: '1', b: '2' } }),
    );
    const patched = await http(iam.url, 'PATCH', `/v1/subjects/${subject.id}`, {
      ...admin({
        displayName: 'After',
        roles: ['Admin'],
        metadata: { a: null, c: '3' },
        loginMethod: 'built-in',
      }),
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ displayName: 'After', loginMethod: 'built-in' });
    const seen = (await s.scim('GET', `/Users/${subject.id}`)).body;
    expect(seen.roles).toEqual([expect.objectContaining({ value: 'Admin' })]);
    expect(seen[METADATA]).toEqual({ b: '2', c: '3' });

    const removed = await http(iam.url, 'PATCH', `/v1/subjects/${subject.id}`, admin({ displayName: null }));
    expect(removed.status).toBe(200);
    expect(removed.body.displayName).toBeNull();

    const types = (await events(subject.id)).map((e) => e.event);
    const loginChange = types.find((e) => e.changedAttributes?.includes('loginMethod'));
    expect(loginChange).toMatchObject({
      type: 'subject.updated',
      source: 'admin',
      changedAttributes: ['loginMethod'],
      state: expect.objectContaining({ loginMethod: 'built-in' }),
      roles: ['Admin'],
      managedBy: null,
    });
    const login = await http(iam.url, 'GET', `/v1/subjects/${subject.id}/login`, admin());
    expect(login.body).toMatchObject({ loginMethod: 'built-in', passwordSet: false });
  });

  it('refuses edits of what Entra owns on a SCIM-managed user (409), allows roles, userType, metadata', async () => {
    const user = await scimUser();
    for (const body of [
      { userName: 'renamed@contoso.com' },
      { emails: [{ value: 'other@contoso.com' }] },
      { name: { givenName: 'X' } },
      { active: false },
      { externalId: 'x' },
      { displayName: 'X' },
    ]) {
      const refused = await http(iam.url, 'PATCH', `/v1/subjects/${user.id}`, admin(body));
      expect(refused.status).toBe(409);
      expect(refused.body.message).toBe(
        `${Object.keys(body)[0]} is managed by Entra ID (SCIM) for this user: change it in Entra`,
      );
    }
    const builtIn = await http(
      iam.url,
      'PATCH',
      `/v1/subjects/${user.id}`,
      admin({ loginMethod: 'built-in' }),
    );
    expect(builtIn.status).toBe(409);
    expect(builtIn.body.message).toMatch(/managed by Entra ID \(SCIM\) and cannot have a built-in password/);
    const invitation = await http(iam.url, 'POST', `/v1/subjects/${user.id}/invitation`, admin());
    expect(invitation.status).toBe(409);

    const allowed = await http(iam.url, 'PATCH', `/v1/subjects/${user.id}`, {
      ...admin({ roles: ['User'], userType: 'Premium', metadata: { region: 'emea' } }),
    });
    expect(allowed.status).toBe(200);
    expect(allowed.body).toMatchObject({ managedBy: 'scim', loginMethod: 'entra', userName: user.userName });
    const seen = (await s.scim('GET', `/Users/${user.id}`)).body;
    expect(seen).toMatchObject({ userType: 'Premium', emails: user.emails, [METADATA]: { region: 'emea' } });
  });

  it('lets the operator deprovision a SCIM-managed user; SCIM then no longer sees it', async () => {
    const user = await scimUser();
    const removed = await http(iam.url, 'DELETE', `/v1/subjects/${user.id}`, admin());
    expect(removed.status).toBe(204);
    expect((await s.scim('GET', `/Users/${user.id}`)).status).toBe(404);
    expect((await http(iam.url, 'GET', `/v1/subjects/${user.id}`, admin())).status).toBe(404);
    expect((await http(iam.url, 'DELETE', `/v1/subjects/${user.id}`, admin())).status).toBe(404);
    const last = (await events(user.id)).at(-1)!.event;
    expect(last).toMatchObject({ type: 'subject.deleted', source: 'admin' });
    // Audited: who (the admin token's id), what, and the refused second attempt.
    const audit = await http(
      iam.url,
      'GET',
      `/v1/audit/provisioning?subjectId=${user.id}&source=admin`,
      admin(),
    );
    expect(audit.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          operation: 'delete',
          outcome: 'success',
          status: 204,
          actor: expect.any(String),
        }),
        expect.objectContaining({ operation: 'delete', outcome: 'refused', status: 404 }),
      ]),
    );
  });

  it('audits operator patches with the names of what changed, and answers 404 for an id that is no subject', async () => {
    const { body: subject } = await http(
      iam.url,
      'POST',
      '/v1/subjects',
      admin({ userName: `audit-${randomUUID()}@x.example` }),
    );
    await http(
      iam.url,
      'PATCH',
      `/v1/subjects/${subject.id}`,
      admin({ displayName: 'Secret Name', loginMethod: 'built-in' }),
    );
    const audit = await http(iam.url, 'GET', `/v1/audit/provisioning?subjectId=${subject.id}`, admin());
    const patch = audit.body.items.find((e: any) => e.operation === 'patch');
    expect(patch).toMatchObject({ source: 'admin', outcome: 'success', status: 200 });
    expect(patch.changedAttributes).toEqual(expect.arrayContaining(['displayName', 'loginMethod']));
    expect(audit.text).not.toContain('Secret Name');
    for (const [method, path] of [
      ['PATCH', '/v1/subjects/not-a-uuid'],
      ['DELETE', '/v1/subjects/not-a-uuid'],
      ['PATCH', `/v1/subjects/${randomUUID()}`],
    ] as const) {
      expect((await http(iam.url, method, path, admin({ displayName: 'x' }))).status).toBe(404);
    }
  });

  it('SCIM taking over a local subject makes it SCIM-managed', async () => {
    const { body: local } = await http(
      iam.url,
      'POST',
      '/v1/subjects',
      admin({ userName: `local-${randomUUID()}@contoso.com` }),
    );
    expect(
      (await http(iam.url, 'PATCH', `/v1/subjects/${local.id}`, admin({ displayName: 'ok' }))).status,
    ).toBe(200);
    await s.scim('PATCH', `/Users/${local.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', path: 'title', value: 'Engineer' }],
    });
    const refused = await http(iam.url, 'PATCH', `/v1/subjects/${local.id}`, admin({ displayName: 'no' }));
    expect(refused.status).toBe(409);
  });

  it("keeps tenants apart: another tenant's operator neither sees nor writes this tenant's subjects", async () => {
    const { body: subject } = await http(
      iam.url,
      'POST',
      '/v1/subjects',
      admin({ userName: `iso-${randomUUID()}@x.example` }),
    );
    const otherTenant = await createTenant(iam, s.platformToken, 'Other');
    const other = await withTenant(iam, s.gateway, s.platformToken, otherTenant);
    const as = (body?: unknown) => ({ token: s.platformToken, tenantId: other.tenantId, body });
    expect(
      (await http(iam.url, 'PATCH', `/v1/subjects/${subject.id}`, as({ displayName: 'x' }))).status,
    ).toBe(404);
    expect((await http(iam.url, 'DELETE', `/v1/subjects/${subject.id}`, as())).status).toBe(404);
    expect((await http(iam.url, 'GET', `/v1/subjects/${subject.id}/login`, as())).status).toBe(404);
    expect((await http(iam.url, 'POST', `/v1/subjects/${subject.id}/invitation`, as())).status).toBe(404);
    // The same userName is free in the other tenant.
    expect((await http(iam.url, 'POST', '/v1/subjects', as({ userName: subject.userName }))).status).toBe(
      201,
    );
    expect((await http(iam.url, 'GET', `/v1/subjects/${subject.id}`, admin())).body.displayName).toBeNull();
  });

  it('needs an iam:admin token', async () => {
    expect((await http(iam.url, 'POST', '/v1/subjects', { body: { userName: 'x' } })).status).toBe(401);
  });
});
