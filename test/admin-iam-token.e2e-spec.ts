import { randomUUID } from 'node:crypto';
import { Browser, FakeEntra, http, ScimStack, startScimStack } from '@test/support';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** The admin API with IAM's own access token from a sign-in with the tenant's Entra ID. */
describe('the admin API accepts the IAM access token of a tenant’s organization owner (EnterpriseAdmin)', () => {
  let s: ScimStack;
  let entra: FakeEntra;
  let callback: string;

  /** A SCIM-provisioned user with `roles` signs in through the web callback: IAM's access token. */
  async function signedIn(roles: string[]): Promise<{ token: string; userId: string }> {
    const oid = randomUUID();
    const user = await s.scim('POST', '/Users', {
      schemas: [USER],
      userName: `owner-${oid}@contoso.com`,
      externalId: oid,
      roles: roles.map((value) => ({ value })),
    });
    expect(user.status).toBe(201);
    entra.user = { oid, preferred_username: `owner-${oid}@contoso.com` };
    const browser = new Browser();
    const started = await browser.fetch(
      `${s.iam.url}/v1/login/${s.tenantId}/contoso?${new URLSearchParams({ redirect_uri: callback })}`,
    );
    const atEntra = await fetch(started.headers.get('location')!, { redirect: 'manual' });
    const back = await browser.fetch(atEntra.headers.get('location')!);
    expect(back.status).toBe(200);
    return { token: ((await back.json()) as { accessToken: string }).accessToken, userId: user.body.id };
  }

  beforeAll(async () => {
    s = await startScimStack();
    callback = `${s.iam.url}/v1/login/${s.tenantId}/contoso/callback`;
    entra = await new FakeEntra({ clientId: randomUUID(), clientSecret: 'entra-secret' }).start();
    const res = await http(s.iam.url, 'POST', '/v1/sso/azuread', {
      token: s.platformToken,
      tenantId: s.tenantId,
      body: entra.providerBody('contoso', [callback]),
    });
    expect(res.status).toBe(201);
  });
  afterAll(async () => {
    await s?.close();
    await entra?.stop();
  });

  it('an EnterpriseAdmin administers its own tenant (iam:admin), never another and never the platform', async () => {
    const { token } = await signedIn(['EnterpriseAdmin']);
    const own = await http(s.iam.url, 'GET', '/v1/webhooks', { token });
    expect(own.status).toBe(200);
    const hook = await http(s.iam.url, 'POST', '/v1/webhooks', {
      token,
      body: { url: 'https://hooks.example.com/iam' },
    });
    expect(hook.status).toBe(201);
    expect((await http(s.iam.url, 'GET', '/v1/sso/azuread', { token, tenantId: s.tenantId })).status).toBe(
      200,
    );

    const other = await http(s.iam.url, 'POST', '/v1/tenants', {
      token: s.platformToken,
      body: { displayName: `other-${randomUUID()}` },
    });
    const foreign = await http(s.iam.url, 'GET', '/v1/webhooks', { token, tenantId: other.body.id });
    expect(foreign.status).toBe(403);
    expect(foreign.body.message).toContain('scoped to another tenant');
    const tenants = await http(s.iam.url, 'GET', '/v1/tenants', { token });
    expect(tenants.status).toBe(403);
    expect(tenants.body.message).toContain('iam:platform-admin');
  });

  it('Admin, User and ReadOnly get a 403 naming the role the admin API needs', async () => {
    for (const roles of [['Admin'], ['User', 'ReadOnly']]) {
      const { token } = await signedIn(roles);
      const res = await http(s.iam.url, 'GET', '/v1/webhooks', { token });
      expect(res.status).toBe(403);
      expect(res.body.message).toContain('EnterpriseAdmin');
      expect(res.body.message).toContain(roles.join(', '));
    }
  });

  it('the role is read as it is now: a demoted owner is refused with the token still unexpired', async () => {
    const { token, userId } = await signedIn(['EnterpriseAdmin']);
    expect((await http(s.iam.url, 'GET', '/v1/webhooks', { token })).status).toBe(200);
    const demoted = await s.scim('PATCH', `/Users/${userId}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', path: 'roles', value: [{ value: 'Admin' }] }],
    });
    expect(demoted.status).toBe(200);
    expect((await http(s.iam.url, 'GET', '/v1/webhooks', { token })).status).toBe(403);
  });

  it('a logged-out session, a deactivated owner and a forged token are 401', async () => {
    const first = await signedIn(['EnterpriseAdmin']);
    expect((await http(s.iam.url, 'POST', '/v1/logout', { token: first.token })).status).toBe(204);
    const loggedOut = await http(s.iam.url, 'GET', '/v1/webhooks', { token: first.token });
    expect(loggedOut.status).toBe(401);
    expect(loggedOut.body.message).toContain('logged out');

    const second = await signedIn(['EnterpriseAdmin']);
    await s.scim('PATCH', `/Users/${second.userId}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', path: 'active', value: false }],
    });
    const deactivated = await http(s.iam.url, 'GET', '/v1/webhooks', { token: second.token });
    expect(deactivated.status).toBe(401);
    expect(deactivated.body.message).toContain('deactivated');

    const [header, payload] = second.token.split('.');
    const forged = `${header}.${payload}.${Buffer.from('not the signature').toString('base64url')}`;
    expect((await http(s.iam.url, 'GET', '/v1/webhooks', { token: forged })).status).toBe(401);
  });
});
