import {
  createTenant,
  http,
  issueAdminToken,
  PLATFORM_PERMISSIONS,
  RunningApp,
  seedProviderBody,
  startIamAdmin,
} from '@test/support';

describe('IAM admin API (real PostgreSQL and Redis)', () => {
  let iam: RunningApp;
  let platform: string;
  let tenantA: string;
  let tenantB: string;
  const as = (tenantId: string) => ({ token: platform, tenantId });

  beforeAll(async () => {
    iam = await startIamAdmin();
    platform = await issueAdminToken(iam, PLATFORM_PERMISSIONS);
    tenantA = await createTenant(iam, platform, 'Tenant A');
    tenantB = await createTenant(iam, platform, 'Tenant B');
  });
  afterAll(() => iam?.close());

  describe('authentication and permissions', () => {
    it('answers 401 without a token or with an unknown one', async () => {
      expect((await http(iam.url, 'GET', '/v1/sso/azuread', { tenantId: tenantA })).status).toBe(401);
      const unknown = await http(iam.url, 'GET', '/v1/sso/azuread', {
        token: 'iamadm_nope',
        tenantId: tenantA,
      });
      expect(unknown.status).toBe(401);
      const garbage = await http(iam.url, 'GET', '/v1/tenants', { token: 'not-a-token' });
      expect(garbage.status).toBe(401);
    });

    it('answers 403 for a valid token without the iam:admin permission', async () => {
      const reader = await issueAdminToken(iam, ['iam:read'], tenantA);
      const res = await http(iam.url, 'GET', '/v1/sso/azuread', { token: reader });
      expect(res.status).toBe(403);
      expect(res.body.message).toContain('iam:admin');
    });

    it('lets only platform admins manage tenants', async () => {
      const tenantAdmin = await issueAdminToken(iam, ['iam:admin'], tenantA);
      expect((await http(iam.url, 'GET', '/v1/tenants', { token: tenantAdmin })).status).toBe(403);
      expect((await http(iam.url, 'GET', '/v1/tenants', { token: platform })).status).toBe(200);
    });

    it('requires X-Tenant-Id from platform-level tokens and checks it', async () => {
      const missing = await http(iam.url, 'GET', '/v1/sso/azuread', { token: platform });
      expect(missing.status).toBe(400);
      expect(missing.body.message).toContain('X-Tenant-Id');
      const bad = await http(iam.url, 'GET', '/v1/sso/azuread', { token: platform, tenantId: 'nope' });
      expect(bad.status).toBe(400);
      const absent = await http(iam.url, 'GET', '/v1/sso/azuread', {
        token: platform,
        tenantId: '00000000-0000-4000-8000-000000000000',
      });
      expect(absent.status).toBe(404);
    });

    it('binds a tenant token to its tenant: another X-Tenant-Id is refused', async () => {
      const tenantAdmin = await issueAdminToken(iam, ['iam:admin'], tenantA);
      expect((await http(iam.url, 'GET', '/v1/sso/azuread', { token: tenantAdmin })).status).toBe(200);
      const crossing = await http(iam.url, 'GET', '/v1/sso/azuread', {
        token: tenantAdmin,
        tenantId: tenantB,
      });
      expect(crossing.status).toBe(403);
    });
  });

  describe('tenants', () => {
    it('creates, lists, gets, renames and disables a tenant', async () => {
      const created = await http(iam.url, 'POST', '/v1/tenants', {
        token: platform,
        body: { displayName: 'Fabrikam' },
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ displayName: 'Fabrikam', enabled: true, isDefault: false });
      const id = created.body.id;
      const list = await http(iam.url, 'GET', '/v1/tenants', { token: platform });
      expect(list.body.map((t: { id: string }) => t.id)).toContain(id);
      expect((await http(iam.url, 'GET', `/v1/tenants/${id}`, { token: platform })).body.displayName).toBe(
        'Fabrikam',
      );
      const renamed = await http(iam.url, 'PATCH', `/v1/tenants/${id}`, {
        token: platform,
        body: { displayName: 'Fabrikam Inc' },
      });
      expect(renamed.body.displayName).toBe('Fabrikam Inc');
      const disabled = await http(iam.url, 'PATCH', `/v1/tenants/${id}`, {
        token: platform,
        body: { enabled: false },
      });
      expect(disabled.body.enabled).toBe(false);
      const refused = await http(iam.url, 'GET', '/v1/sso/azuread', as(id));
      expect(refused.status).toBe(403);
      expect(refused.body.message).toContain('disabled');
    });

    it('names the field in validation errors and 404s an unknown tenant', async () => {
      const bad = await http(iam.url, 'POST', '/v1/tenants', { token: platform, body: { displayName: '' } });
      expect(bad.status).toBe(400);
      expect(bad.body.errors[0].field).toBe('displayName');
      const missing = await http(iam.url, 'GET', '/v1/tenants/00000000-0000-4000-8000-000000000000', {
        token: platform,
      });
      expect(missing.status).toBe(404);
    });
  });

  describe('Azure AD SSO providers (/v1/sso/azuread)', () => {
    it('creates a provider from the seed body and never returns the client secret', async () => {
      const res = await http(iam.url, 'POST', '/v1/sso/azuread', {
        ...as(tenantA),
        body: seedProviderBody('contoso'),
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        scheme: 'contoso',
        displayName: 'Contoso Entra ID',
        enabled: true,
        type: 'oidc',
        properties: {
          loginEnabled: true,
          visible: true,
          delegationEnabled: false,
          autoProvisioningEnabled: true,
          clientId: 'my-client-id',
          hasClientSecret: true,
          usePkce: true,
          authority: 'https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0',
          responseType: 'code',
          scope: 'openid profile email',
        },
      });
      expect(res.text).not.toContain('my-client-secret');
      expect(res.body.properties).not.toHaveProperty('clientSecret');
    });

    it('refuses a duplicate scheme in the same tenant with 409, allows it in another tenant', async () => {
      await http(iam.url, 'POST', '/v1/sso/azuread', { ...as(tenantA), body: seedProviderBody('dup') });
      const again = await http(iam.url, 'POST', '/v1/sso/azuread', {
        ...as(tenantA),
        body: seedProviderBody('dup'),
      });
      expect(again.status).toBe(409);
      expect(again.body.message).toContain("'dup'");
      const other = await http(iam.url, 'POST', '/v1/sso/azuread', {
        ...as(tenantB),
        body: seedProviderBody('dup'),
      });
      expect(other.status).toBe(201);
    });

    const invalid: Array<[string, (b: Record<string, any>) => void, string]> = [
      ['scheme not a slug', (b) => (b.scheme = 'Not A Slug'), 'scheme'],
      ['scheme missing', (b) => delete b.scheme, 'scheme'],
      ['displayName empty', (b) => (b.displayName = ''), 'displayName'],
      ['enabled not boolean', (b) => (b.enabled = 'yes'), 'enabled'],
      ['type not oidc', (b) => (b.type = 'saml'), 'type'],
      ['properties missing', (b) => delete b.properties, 'properties'],
      [
        'authority http on a public host',
        (b) => (b.properties.authority = 'http://login.example.com/x'),
        'properties.authority',
      ],
      ['authority not a URL', (b) => (b.properties.authority = 'login'), 'properties.authority'],
      ['clientId missing', (b) => delete b.properties.clientId, 'properties.clientId'],
      ['responseType unknown', (b) => (b.properties.responseType = 'token'), 'properties.responseType'],
      ['scope without openid', (b) => (b.properties.scope = 'profile email'), 'properties.scope'],
      ['scope with a quote', (b) => (b.properties.scope = 'openid "x"'), 'properties.scope'],
      ['usePkce not boolean', (b) => (b.properties.usePkce = 'true'), 'properties.usePkce'],
      ['loginEnabled not boolean', (b) => (b.properties.loginEnabled = 1), 'properties.loginEnabled'],
      ['visible not boolean', (b) => (b.properties.visible = null), 'properties.visible'],
      [
        'delegationEnabled not boolean',
        (b) => (b.properties.delegationEnabled = 'no'),
        'properties.delegationEnabled',
      ],
      [
        'autoProvisioningEnabled not boolean',
        (b) => (b.properties.autoProvisioningEnabled = 0),
        'properties.autoProvisioningEnabled',
      ],
      ['clientSecret empty', (b) => (b.properties.clientSecret = ''), 'properties.clientSecret'],
      ['unknown property', (b) => (b.properties.colour = 'blue'), 'properties.colour'],
      [
        'no clientSecret for a confidential client',
        (b) => {
          b.properties.usePkce = false;
          delete b.properties.clientSecret;
        },
        'properties.clientSecret',
      ],
    ];
    it.each(invalid)('400 naming the field: %s', async (_case, mutate, field) => {
      const body = seedProviderBody('invalid-case');
      mutate(body);
      const res = await http(iam.url, 'POST', '/v1/sso/azuread', { ...as(tenantA), body });
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      expect(res.body.message).toContain(field);
    });

    it('accepts an http authority on a loopback host (local OpenID Provider)', async () => {
      const body = seedProviderBody('loopback');
      body.properties.authority = 'http://127.0.0.1:9999/tenant/v2.0';
      expect((await http(iam.url, 'POST', '/v1/sso/azuread', { ...as(tenantA), body })).status).toBe(201);
    });

    it('lists, gets, replaces (PUT) and patches a provider', async () => {
      await http(iam.url, 'POST', '/v1/sso/azuread', { ...as(tenantB), body: seedProviderBody('lifecycle') });
      const list = await http(iam.url, 'GET', '/v1/sso/azuread', as(tenantB));
      expect(list.body.map((p: { scheme: string }) => p.scheme)).toContain('lifecycle');
      const get = await http(iam.url, 'GET', '/v1/sso/azuread/lifecycle', as(tenantB));
      expect(get.status).toBe(200);

      const replacement = seedProviderBody('lifecycle');
      delete replacement.properties.clientSecret; // keeps the stored one
      replacement.displayName = 'Renamed';
      replacement.properties.visible = false;
      const put = await http(iam.url, 'PUT', '/v1/sso/azuread/lifecycle', {
        ...as(tenantB),
        body: replacement,
      });
      expect(put.status).toBe(200);
      expect(put.body).toMatchObject({
        displayName: 'Renamed',
        properties: { visible: false, hasClientSecret: true },
      });

      const patch = await http(iam.url, 'PATCH', '/v1/sso/azuread/lifecycle', {
        ...as(tenantB),
        body: { enabled: false, properties: { scope: 'openid email' } },
      });
      expect(patch.status).toBe(200);
      expect(patch.body).toMatchObject({
        displayName: 'Renamed',
        enabled: false,
        properties: {
          scope: 'openid email',
          visible: false,
          clientId: 'my-client-id',
          hasClientSecret: true,
        },
      });

      const renameScheme = await http(iam.url, 'PUT', '/v1/sso/azuread/lifecycle', {
        ...as(tenantB),
        body: { ...seedProviderBody('other') },
      });
      expect(renameScheme.status).toBe(400);
      expect(renameScheme.body.errors[0].field).toBe('scheme');

      const nullPatch = await http(iam.url, 'PATCH', '/v1/sso/azuread/lifecycle', {
        ...as(tenantB),
        body: { displayName: null, properties: { clientId: null } },
      });
      expect(nullPatch.status).toBe(400);
      expect(nullPatch.body.errors.map((e: { field: string }) => e.field)).toEqual(
        expect.arrayContaining(['displayName', 'properties.clientId']),
      );

      const badPatch = await http(iam.url, 'PATCH', '/v1/sso/azuread/lifecycle', {
        ...as(tenantB),
        body: { properties: { authority: 'ftp://x' } },
      });
      expect(badPatch.status).toBe(400);
      expect(badPatch.body.errors[0].field).toBe('properties.authority');
      expect((await http(iam.url, 'GET', '/v1/sso/azuread/nope', as(tenantB))).status).toBe(404);
    });

    it('keeps tenants apart: another tenant cannot see, change or delete a provider', async () => {
      await http(iam.url, 'POST', '/v1/sso/azuread', { ...as(tenantA), body: seedProviderBody('private-a') });
      expect((await http(iam.url, 'GET', '/v1/sso/azuread/private-a', as(tenantB))).status).toBe(404);
      const listB = await http(iam.url, 'GET', '/v1/sso/azuread', as(tenantB));
      expect(listB.body.map((p: { scheme: string }) => p.scheme)).not.toContain('private-a');
      expect(
        (
          await http(iam.url, 'PATCH', '/v1/sso/azuread/private-a', {
            ...as(tenantB),
            body: { enabled: false },
          })
        ).status,
      ).toBe(404);
      expect((await http(iam.url, 'DELETE', '/v1/sso/azuread/private-a', as(tenantB))).status).toBe(404);
      expect((await http(iam.url, 'GET', '/v1/sso/azuread/private-a', as(tenantA))).body.enabled).toBe(true);
    });
  });

  describe('SCIM tokens (/v1/scim)', () => {
    beforeAll(async () => {
      await http(iam.url, 'POST', '/v1/sso/azuread', { ...as(tenantA), body: seedProviderBody('entra') });
    });

    it('creates a token shown once, lists without values, revokes', async () => {
      const created = await http(iam.url, 'POST', '/v1/scim', {
        ...as(tenantA),
        body: { provider: 'entra', providerDisplayName: 'Entra ID' },
      });
      expect(created.status).toBe(201);
      const { token, id } = created.body;
      expect(token).toMatch(/^scim_[A-Za-z0-9_-]{43}$/);
      expect(created.body).toMatchObject({
        provider: 'entra',
        providerDisplayName: 'Entra ID',
        lastUsedAt: null,
      });
      const lifetime = Date.parse(created.body.expiresAt) - Date.parse(created.body.createdAt);
      expect(Math.round(lifetime / 86_400_000)).toBe(365);

      const list = await http(iam.url, 'GET', '/v1/scim', as(tenantA));
      expect(list.status).toBe(200);
      expect(list.text).not.toContain(token);
      const listed = list.body.find((t: { id: string }) => t.id === id);
      expect(listed).toMatchObject({ provider: 'entra', tokenHint: token.slice(-4) });
      expect(listed).not.toHaveProperty('token');

      expect((await http(iam.url, 'DELETE', `/v1/scim/${id}`, as(tenantA))).status).toBe(204);
      const after = await http(iam.url, 'GET', '/v1/scim', as(tenantA));
      expect(after.body.map((t: { id: string }) => t.id)).not.toContain(id);
      expect((await http(iam.url, 'DELETE', `/v1/scim/${id}`, as(tenantA))).status).toBe(404);
    });

    it('lets two tokens for one provider coexist (rotation) and honours expiresInDays', async () => {
      const body = { provider: 'entra', providerDisplayName: 'Entra ID', expiresInDays: 30 };
      const first = await http(iam.url, 'POST', '/v1/scim', { ...as(tenantA), body });
      const second = await http(iam.url, 'POST', '/v1/scim', { ...as(tenantA), body });
      expect(first.status).toBe(201);
      expect(second.status).toBe(201);
      expect(first.body.token).not.toBe(second.body.token);
      const days = (Date.parse(first.body.expiresAt) - Date.parse(first.body.createdAt)) / 86_400_000;
      expect(Math.round(days)).toBe(30);
    });

    it.each([
      [{ providerDisplayName: 'x' }, 'provider'],
      [{ provider: 'entra' }, 'providerDisplayName'],
      [{ provider: 'entra', providerDisplayName: '' }, 'providerDisplayName'],
      [{ provider: 'entra', providerDisplayName: 'x', expiresInDays: 0 }, 'expiresInDays'],
      [{ provider: 'unknown-scheme', providerDisplayName: 'x' }, 'provider'],
    ])('400 naming the field for %j', async (body, field) => {
      const res = await http(iam.url, 'POST', '/v1/scim', { ...as(tenantA), body });
      expect(res.status).toBe(400);
      expect(res.body.errors[0].field).toBe(field);
    });

    it("refuses a provider of another tenant and keeps each tenant's tokens private", async () => {
      const res = await http(iam.url, 'POST', '/v1/scim', {
        ...as(tenantB),
        body: { provider: 'entra', providerDisplayName: 'x' },
      });
      expect(res.status).toBe(400);
      expect(res.body.message).toContain("'entra'");
      const created = await http(iam.url, 'POST', '/v1/scim', {
        ...as(tenantA),
        body: { provider: 'entra', providerDisplayName: 'A only' },
      });
      const listB = await http(iam.url, 'GET', '/v1/scim', as(tenantB));
      expect(listB.body.map((t: { id: string }) => t.id)).not.toContain(created.body.id);
      expect((await http(iam.url, 'DELETE', `/v1/scim/${created.body.id}`, as(tenantB))).status).toBe(404);
    });

    it('refuses to delete a provider that still has SCIM tokens, naming them', async () => {
      await http(iam.url, 'POST', '/v1/sso/azuread', { ...as(tenantA), body: seedProviderBody('linked') });
      const token = await http(iam.url, 'POST', '/v1/scim', {
        ...as(tenantA),
        body: { provider: 'linked', providerDisplayName: 'Linked IdP' },
      });
      const refused = await http(iam.url, 'DELETE', '/v1/sso/azuread/linked', as(tenantA));
      expect(refused.status).toBe(409);
      expect(refused.body.message).toContain(token.body.id);
      expect(refused.body.message).toContain('Linked IdP');
      await http(iam.url, 'DELETE', `/v1/scim/${token.body.id}`, as(tenantA));
      expect((await http(iam.url, 'DELETE', '/v1/sso/azuread/linked', as(tenantA))).status).toBe(204);
      expect((await http(iam.url, 'GET', '/v1/sso/azuread/linked', as(tenantA))).status).toBe(404);
    });
  });

  it('never writes a client secret or a SCIM token to the logs', async () => {
    const body = seedProviderBody('log-check');
    body.properties.clientSecret = 'super-secret-value-123';
    await http(iam.url, 'POST', '/v1/sso/azuread', { ...as(tenantA), body });
    const created = await http(iam.url, 'POST', '/v1/scim', {
      ...as(tenantA),
      body: { provider: 'log-check', providerDisplayName: 'x' },
    });
    // A failing request logs too: make one that carries the secret.
    await http(iam.url, 'PUT', '/v1/sso/azuread/log-check', {
      ...as(tenantA),
      body: { ...body, properties: { ...body.properties, scope: 'bad' } },
    });
    expect(iam.logs.lines.length).toBeGreaterThan(0);
    expect(iam.logs.text).toContain('/v1/scim');
    expect(iam.logs.text).not.toContain('super-secret-value-123');
    expect(iam.logs.text).not.toContain(created.body.token);
    expect(iam.logs.text).not.toContain(platform);
  });

  it('serves the OpenAPI document at /docs', async () => {
    const res = await http(iam.url, 'GET', '/docs-json');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining([
        '/v1/sso/azuread',
        '/v1/sso/azuread/{scheme}',
        '/v1/scim',
        '/v1/scim/{id}',
        '/v1/tenants',
      ]),
    );
  });
});
