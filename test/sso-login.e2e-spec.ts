import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { appPkce, Browser, FakeEntra, http, RunningApp, ScimStack, startScimStack } from '@test/support';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

describe('sign-in with Entra ID (OIDC) through a registered provider', () => {
  let s: ScimStack;
  let iam: RunningApp;
  let entra: FakeEntra;
  const clientId = randomUUID();
  const clientSecret = 'entra-client-secret';
  let callback: string;
  const mobileRedirect = 'msauth.com.contoso.app://auth';
  const admin = () => ({ token: s.platformToken, tenantId: s.tenantId });

  /** Registers (or re-registers) the `contoso` provider against the fake Entra. */
  async function registerProvider(properties: Record<string, unknown> = {}): Promise<void> {
    const body = {
      ...entra.providerBody('contoso', [callback, mobileRedirect], properties),
      displayName: 'Contoso',
    };
    const existing = await http(iam.url, 'GET', '/v1/sso/azuread/contoso', admin());
    const res =
      existing.status === 200
        ? await http(iam.url, 'PUT', '/v1/sso/azuread/contoso', { ...admin(), body })
        : await http(iam.url, 'POST', '/v1/sso/azuread', { ...admin(), body });
    if (res.status >= 300) throw new Error(res.text);
  }

  /** The start of a sign-in in `browser` (which keeps IAM's sign-in cookie): IAM's 302 to Entra. */
  const start = (browser: Browser, redirectUri = callback, query: Record<string, string> = {}) =>
    browser.fetch(
      `${iam.url}/v1/login/${s.tenantId}/contoso?${new URLSearchParams({ redirect_uri: redirectUri, ...query })}`,
    );

  /**
   * A browser's trip: IAM → Entra (signs in at once) → back to the redirect URI with code and state.
   * For an app's redirect URI, `query` carries the app's PKCE challenge.
   */
  async function signIn(
    redirectUri = callback,
    query: Record<string, string> = {},
    browser = new Browser(),
  ): Promise<{ status: number; body: any; location: URL }> {
    const started = await start(browser, redirectUri, query);
    if (started.status !== 302)
      return { status: started.status, body: await started.json(), location: new URL('about:blank') };
    const authorize = new URL(started.headers.get('location')!);
    const atEntra = await fetch(authorize, { redirect: 'manual' });
    const location = new URL(atEntra.headers.get('location')!);
    if (redirectUri !== callback) return { status: 0, body: undefined, location };
    const back = await browser.fetch(location);
    return { status: back.status, body: await back.json(), location };
  }

  beforeAll(async () => {
    s = await startScimStack();
    iam = s.iam;
    callback = `${iam.url}/v1/login/${s.tenantId}/contoso/callback`;
    entra = await new FakeEntra({ clientId, clientSecret }).start();
    await registerProvider();
  });
  afterAll(async () => {
    await s?.close();
    await entra?.stop();
  });

  it('signs in a SCIM-provisioned user, matched by its Entra object id (SCIM externalId), with PKCE', async () => {
    const oid = randomUUID();
    const user = (
      await s.scim('POST', '/Users', {
        schemas: [USER],
        userName: `scim-${oid}@contoso.com`,
        externalId: oid,
        roles: [{ value: 'Admin' }],
      })
    ).body;
    entra.user = { oid, preferred_username: `other-upn-${oid}@contoso.com`, name: 'Provisioned' };
    const browser = new Browser();
    const authorize = new URL((await start(browser)).headers.get('location')!);
    expect(authorize.origin + authorize.pathname).toBe(
      `${entra.issuer.replace('/v2.0', '')}/oauth2/v2.0/authorize`,
    );
    expect(authorize.searchParams.get('client_id')).toBe(clientId);
    expect(authorize.searchParams.get('response_type')).toBe('code');
    expect(authorize.searchParams.get('scope')).toBe('openid profile email');
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('state')).toBeTruthy();
    expect(authorize.searchParams.get('nonce')).toBeTruthy();
    const back = await browser.fetch(
      new URL((await fetch(authorize, { redirect: 'manual' })).headers.get('location')!),
    );
    const result = (await back.json()) as any;
    expect(back.status).toBe(200);
    expect(result).toMatchObject({ tokenType: 'Bearer', subject: { id: user.id, justInTime: false } });

    // IAM's own token: verifiable with the published JWKS, carrying subject, tenant and roles.
    const session = await http(iam.url, 'GET', '/v1/session', { token: result.accessToken });
    expect(session.body).toMatchObject({ sub: user.id, tid: s.tenantId, roles: ['Admin'], idp: 'contoso' });
    const jwks = await http(iam.url, 'GET', '/.well-known/jwks.json');
    expect(jwks.body.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    expect(jwks.text).not.toContain('"d"');
    const code = new URL(back.url).searchParams.get('code')!;
    expect(iam.logs.text).toContain('/callback');
    expect(iam.logs.text).not.toContain(code);
    expect(iam.logs.text).not.toContain(clientSecret);
    expect(iam.logs.text).not.toContain(result.accessToken);
    const [{ entra_oid }] = await iam.app
      .get(DataSource)
      .query(`SELECT entra_oid FROM subjects WHERE id = $1`, [user.id]);
    expect(entra_oid).toBe(oid);
  });

  it('matches by userName when the object id is unknown, and logout ends the session', async () => {
    const userName = `byname-${randomUUID()}@contoso.com`;
    const user = (await s.scim('POST', '/Users', { schemas: [USER], userName })).body;
    entra.user = { oid: randomUUID(), preferred_username: userName.toUpperCase() };
    const { status, body } = await signIn();
    expect(status).toBe(200);
    expect(body.subject.id).toBe(user.id);
    expect((await http(iam.url, 'POST', '/v1/logout', { token: body.accessToken })).status).toBe(204);
    expect((await http(iam.url, 'GET', '/v1/session', { token: body.accessToken })).status).toBe(401);
  });

  it('refuses a deactivated subject and a deprovisioned one, with a clear message', async () => {
    const user = (
      await s.scim('POST', '/Users', {
        schemas: [USER],
        userName: `off-${randomUUID()}@contoso.com`,
        externalId: randomUUID(),
      })
    ).body;
    await s.scim('PATCH', `/Users/${user.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'Replace', path: 'active', value: 'False' }],
    });
    entra.user = { oid: user.externalId, preferred_username: user.userName };
    const deactivated = await signIn();
    expect(deactivated.status).toBe(403);
    expect(deactivated.body.message).toContain('deactivated');
    await s.scim('DELETE', `/Users/${user.id}`);
    const deleted = await signIn();
    expect(deleted.status).toBe(403);
    expect(deleted.body.message).toContain('deprovisioned');
  });

  it('refuses an unknown user when just-in-time provisioning is off, creates it when on', async () => {
    const oid = randomUUID();
    entra.user = {
      oid,
      preferred_username: `jit-${oid}@contoso.com`,
      email: `jit-${oid}@contoso.com`,
      name: 'Jit User',
    };
    const refused = await signIn();
    expect(refused.status).toBe(403);
    expect(refused.body.message).toContain('not provisioned');

    await registerProvider({ autoProvisioningEnabled: true });
    const created = await signIn();
    expect(created.status).toBe(200);
    expect(created.body.subject).toMatchObject({
      userName: `jit-${oid}@contoso.com`,
      displayName: 'Jit User',
      justInTime: true,
    });
    const [row] = await iam.app
      .get(DataSource)
      .query(`SELECT source, provider, entra_oid FROM subjects WHERE id = $1`, [created.body.subject.id]);
    expect(row).toEqual({ source: 'sso-jit', provider: 'contoso', entra_oid: oid });
    const [event] = await iam.app
      .get(DataSource)
      .query(`SELECT event FROM subject_events WHERE aggregate_id = $1 ORDER BY sequence`, [
        created.body.subject.id,
      ]);
    expect(event.event).toMatchObject({ type: 'subject.created', source: 'sso-jit' });
    // The second sign-in finds the same subject.
    const again = await signIn();
    expect(again.body.subject).toMatchObject({ id: created.body.subject.id, justInTime: false });
    await registerProvider({ autoProvisioningEnabled: false });
  });

  it.each([
    ['a bad signature', { signWithForeignKey: true }],
    ['a wrong audience', { audience: 'someone-else' }],
    ['an expired ID token', { expired: true }],
    ['a wrong nonce', { nonce: 'not-the-nonce' }],
  ])('refuses %s', async (_case, faults) => {
    entra.user = { oid: randomUUID(), preferred_username: `fault-${randomUUID()}@contoso.com` };
    entra.faults = faults;
    try {
      const res = await signIn();
      expect(res.status).toBe(401);
      expect(res.body.message).toContain('sign-in failed');
    } finally {
      entra.faults = {};
    }
  });

  it('refuses a wrong state and a replayed code', async () => {
    const userName = `replay-${randomUUID()}@contoso.com`;
    await s.scim('POST', '/Users', { schemas: [USER], userName });
    entra.user = { oid: randomUUID(), preferred_username: userName };
    const browser = new Browser();
    const first = await signIn(callback, {}, browser);
    expect(first.status).toBe(200);
    const replay = await browser.fetch(first.location);
    expect(replay.status).toBe(401); // the state was used up, and the code too
    const tampered = new URL(first.location);
    tampered.searchParams.set('state', 'forged');
    expect((await browser.fetch(tampered)).status).toBe(401);
    // The old code under a fresh, valid state (and its browser): Entra refuses to redeem it twice.
    const fresh = await start(browser);
    const freshState = new URL(fresh.headers.get('location')!).searchParams.get('state')!;
    const replayedCode = new URL(first.location);
    replayedCode.searchParams.set('state', freshState);
    const res = await browser.fetch(replayedCode);
    expect(res.status).toBe(401);
    expect(((await res.json()) as any).message).toContain('invalid_grant');
  });

  it('signs in without PKCE when the provider does not use it (confidential client)', async () => {
    await registerProvider({ usePkce: false });
    try {
      const userName = `nopkce-${randomUUID()}@contoso.com`;
      await s.scim('POST', '/Users', { schemas: [USER], userName });
      entra.user = { oid: randomUUID(), preferred_username: userName };
      const started = await start(new Browser());
      expect(new URL(started.headers.get('location')!).searchParams.has('code_challenge')).toBe(false);
      const { status, body } = await signIn();
      expect(status).toBe(200);
      expect(body.subject.userName).toBe(userName);
    } finally {
      await registerProvider();
    }
  });

  it('accepts only registered redirect URIs, and lets a mobile app post its code with its PKCE verifier', async () => {
    const res = await fetch(
      `${iam.url}/v1/login/${s.tenantId}/contoso?redirect_uri=${encodeURIComponent('https://evil.example/cb')}`,
      { redirect: 'manual' },
    );
    expect(res.status).toBe(400);
    const userName = `mobile-${randomUUID()}@contoso.com`;
    await s.scim('POST', '/Users', { schemas: [USER], userName });
    entra.user = { oid: randomUUID(), preferred_username: userName };
    const pkce = appPkce();
    const { location } = await signIn(mobileRedirect, pkce.query);
    expect(location.protocol).toBe('msauth.com.contoso.app:');
    const token = await http(iam.url, 'POST', `/v1/login/${s.tenantId}/contoso/token`, {
      body: {
        code: location.searchParams.get('code'),
        state: location.searchParams.get('state'),
        code_verifier: pkce.verifier,
      },
    });
    expect(token.status).toBe(200);
    expect(token.body.subject.userName).toBe(userName);
  });

  it('refuses sign-in when the provider is disabled or login is off; lists only visible providers', async () => {
    const list = await http(iam.url, 'GET', `/v1/login/${s.tenantId}/providers`);
    expect(list.body).toContainEqual({ scheme: 'contoso', displayName: 'Contoso', type: 'oidc' });
    expect(list.text).not.toContain(clientSecret);
    await registerProvider({ loginEnabled: false });
    expect((await signIn()).status).toBe(403);
    expect((await http(iam.url, 'GET', `/v1/login/${s.tenantId}/providers`)).body).not.toContainEqual(
      expect.objectContaining({ scheme: 'contoso' }),
    );
    await registerProvider({ visible: false });
    expect((await http(iam.url, 'GET', `/v1/login/${s.tenantId}/providers`)).body).toEqual(
      expect.not.arrayContaining([expect.objectContaining({ scheme: 'contoso' })]),
    );
    await registerProvider();
    expect((await http(iam.url, 'GET', `/v1/login/${randomUUID()}/providers`)).status).toBe(404);
  });
});
