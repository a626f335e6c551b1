import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import {
  Browser,
  createTenant,
  FakeEntra,
  http,
  RunningApp,
  ScimStack,
  startIamAdmin,
  startScimStack,
} from '@test/support';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PASSWORD = 'correct horse battery staple';

describe("built-in sign-in (the platform's own passwords) and login methods", () => {
  let s: ScimStack;
  let iam: RunningApp;
  let entra: FakeEntra;
  let limited: RunningApp | undefined;
  const clientId = randomUUID();
  const admin = (body?: unknown, tenantId = s.tenantId) => ({ token: s.platformToken, tenantId, body });
  const signIn = (userName: string, password: string, tenantId = s.tenantId) =>
    http(iam.url, 'POST', `/v1/login/${tenantId}/password`, { body: { userName, password } });
  const accept = (token: string, password: string, tenantId = s.tenantId) =>
    http(iam.url, 'POST', `/v1/login/${tenantId}/password/invitation`, { body: { token, password } });

  /** A local built-in user with its password set through the invitation. */
  async function builtInUser(tenantId = s.tenantId): Promise<{ id: string; userName: string }> {
    const userName = `local-${randomUUID()}@external.example`;
    const created = await http(
      iam.url,
      'POST',
      '/v1/subjects',
      admin({ userName, loginMethod: 'built-in' }, tenantId),
    );
    expect(created.status).toBe(201);
    expect((await accept(created.body.invitation.token, PASSWORD, tenantId)).status).toBe(204);
    return { id: created.body.id, userName };
  }

  /** A browser's Entra sign-in through the `contoso` provider: IAM → fake Entra → IAM's callback. */
  async function entraSignIn(): Promise<{ status: number; body: any }> {
    const browser = new Browser();
    const callback = `${iam.url}/v1/login/${s.tenantId}/contoso/callback`;
    const started = await browser.fetch(
      `${iam.url}/v1/login/${s.tenantId}/contoso?${new URLSearchParams({ redirect_uri: callback })}`,
    );
    const atEntra = await fetch(new URL(started.headers.get('location')!), { redirect: 'manual' });
    const back = await browser.fetch(new URL(atEntra.headers.get('location')!));
    return { status: back.status, body: await back.json() };
  }

  beforeAll(async () => {
    s = await startScimStack({ iamEnv: { IAM_PASSWORD_MAX_FAILURES: '3', LOGIN_RATE_LIMIT_PER_IP: '0' } });
    iam = s.iam;
    entra = await new FakeEntra({ clientId, clientSecret: 'secret' }).start();
    const callback = `${iam.url}/v1/login/${s.tenantId}/contoso/callback`;
    const provider = await http(iam.url, 'POST', '/v1/sso/azuread', {
      ...admin({ ...entra.providerBody('contoso', [callback], { autoProvisioningEnabled: true }) }),
    });
    if (provider.status !== 201) throw new Error(provider.text);
  });
  afterAll(async () => {
    await s?.close();
    await limited?.close();
    await entra?.stop();
  });

  it('invitation → password → sign-in → an IAM access token that verifies; argon2id stored, invitation used up', async () => {
    const userName = `invited-${randomUUID()}@external.example`;
    const created = await http(iam.url, 'POST', '/v1/subjects', admin({ userName, loginMethod: 'built-in' }));
    expect(created.status).toBe(201);
    const { invitation } = created.body;
    expect(invitation.token).toMatch(/^iaminv_[A-Za-z0-9_-]{43}$/);
    // IAM's public URL (IAM_PUBLIC_URL; here unset: its own address), the token in the fragment.
    expect(invitation.url).toBe(
      `http://127.0.0.1:3000/v1/login/${s.tenantId}/password/invitation#token=${invitation.token}`,
    );
    expect(new Date(invitation.expiresAt).getTime() - Date.now()).toBeGreaterThan(71 * 3_600_000);
    // No password yet: the same answer as a wrong one.
    expect((await signIn(userName, PASSWORD)).status).toBe(401);

    const short = await accept(invitation.token, 'too-short');
    expect(short.status).toBe(400);
    expect(short.body.message).toBe('password: password must be at least 12 characters');
    const long = await accept(invitation.token, 'x'.repeat(257));
    expect(long.body.message).toBe('password: password must be at most 256 characters');
    expect((await accept(invitation.token, PASSWORD)).status).toBe(204);
    const reused = await accept(invitation.token, PASSWORD);
    expect(reused.status).toBe(400);
    expect(reused.body.message).toBe('token: the invitation is unknown, expired or already used');

    const [{ password_hash }] = await iam.app
      .get(DataSource)
      .query(`SELECT password_hash FROM subject_credentials WHERE subject_id = $1`, [created.body.id]);
    expect(password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(iam.logs.text).not.toContain(invitation.token);

    const ok = await signIn(userName.toUpperCase(), PASSWORD);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('cache-control')).toBe('no-store');
    expect(ok.body).toMatchObject({
      tokenType: 'Bearer',
      subject: { id: created.body.id, justInTime: false },
    });
    const session = await http(iam.url, 'GET', '/v1/session', { token: ok.body.accessToken });
    expect(session.status).toBe(200);
    expect(session.body).toMatchObject({ sub: created.body.id, tid: s.tenantId, idp: 'iam:built-in' });
    expect(iam.logs.text).not.toContain(PASSWORD);

    // Switched to Entra by an operator: the password session ends, and the password no longer works.
    await http(iam.url, 'PATCH', `/v1/subjects/${created.body.id}`, admin({ loginMethod: 'entra' }));
    expect((await http(iam.url, 'GET', '/v1/session', { token: ok.body.accessToken })).status).toBe(401);
    const entraUser = await signIn(userName, PASSWORD);
    expect(entraUser.status).toBe(403);
    expect(entraUser.body.message).toBe('this user signs in with Entra ID');
  });

  it('answers a wrong password and an unknown user alike', async () => {
    const user = await builtInUser();
    const wrong = await signIn(user.userName, 'not the password at all');
    const unknown = await signIn(`nobody-${randomUUID()}@external.example`, PASSWORD);
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(unknown.body).toEqual(wrong.body);
    expect(wrong.body.message).toBe('userName or password is incorrect');
  });

  it('locks after the maximum failures in a row: 429 with Retry-After, even for the right password', async () => {
    const user = await builtInUser();
    for (let i = 0; i < 2; i++) expect((await signIn(user.userName, `wrong-${i}-password`)).status).toBe(401);
    // A success resets the count.
    expect((await signIn(user.userName, PASSWORD)).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await signIn(user.userName, `wrong-${i}-password`)).status).toBe(401);
    const locked = await signIn(user.userName, PASSWORD);
    expect(locked.status).toBe(429);
    const retryAfter = Number(locked.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(30);
    expect(locked.body.message).toBe(
      `too many failed sign-ins for this account; retry after ${retryAfter} s`,
    );
    const view = await http(iam.url, 'GET', `/v1/subjects/${user.id}/login`, admin());
    expect(view.body).toMatchObject({ loginMethod: 'built-in', passwordSet: true });
    expect(new Date(view.body.lockedUntil).getTime()).toBeGreaterThan(Date.now());
  });

  it('refuses a deactivated built-in user after the password, and a disabled tenant', async () => {
    const user = await builtInUser();
    await http(iam.url, 'PATCH', `/v1/subjects/${user.id}`, admin({ active: false }));
    const off = await signIn(user.userName, PASSWORD);
    expect(off.status).toBe(403);
    expect(off.body.message).toMatch(/deactivated/);
    expect((await signIn(user.userName, 'wrong password here')).status).toBe(401);

    const tenantId = await createTenant(iam, s.platformToken, 'Soon disabled');
    const other = await builtInUser(tenantId);
    expect((await signIn(other.userName, PASSWORD, tenantId)).status).toBe(200);
    // Users of one tenant do not sign in at another.
    expect((await signIn(other.userName, PASSWORD)).status).toBe(401);
    await http(iam.url, 'PATCH', `/v1/tenants/${tenantId}`, {
      token: s.platformToken,
      body: { enabled: false },
    });
    expect((await signIn(other.userName, PASSWORD, tenantId)).status).toBe(403);
  });

  it('defaults to built-in in a tenant without an Entra sign-in provider, to entra with one', async () => {
    const tenantId = await createTenant(iam, s.platformToken, 'No Entra');
    const local = await http(iam.url, 'POST', '/v1/subjects', admin({ userName: 'a@b.example' }, tenantId));
    expect(local.body).toMatchObject({ loginMethod: 'built-in', invitation: { token: expect.any(String) } });
    const withEntra = await http(
      iam.url,
      'POST',
      '/v1/subjects',
      admin({ userName: `e-${randomUUID()}@b.example` }),
    );
    expect(withEntra.body.loginMethod).toBe('entra');
    expect(withEntra.body.invitation).toBeUndefined();
    const invite = await http(iam.url, 'POST', `/v1/subjects/${withEntra.body.id}/invitation`, admin());
    expect(invite.status).toBe(409);
    expect(invite.body.message).toBe('this user signs in with Entra ID: set loginMethod to built-in first');
  });

  it('refuses password sign-in of a SCIM-managed (Entra) user, and Entra sign-in of a built-in user', async () => {
    const scim = (
      await s.scim('POST', '/Users', { schemas: [USER], userName: `scim-${randomUUID()}@contoso.com` })
    ).body;
    const refused = await signIn(scim.userName, PASSWORD);
    expect(refused.status).toBe(403);
    expect(refused.body.message).toBe('this user signs in with Entra ID');

    const user = await builtInUser();
    entra.user = { oid: randomUUID(), preferred_username: user.userName };
    const atEntra = await entraSignIn();
    expect(atEntra.status).toBe(403);
    expect(atEntra.body.message).toBe("this user signs in with the platform's built-in authentication");
  });

  it('counts password sign-ins against the per-address sign-in rate limit', async () => {
    // Closed after the main stack: two IAM apps in one test process share TypeORM's connection.
    limited = await startIamAdmin({ LOGIN_RATE_LIMIT_PER_IP: '2' });
    const to = limited.url;
    const attempt = () =>
      http(to, 'POST', `/v1/login/${s.tenantId}/password`, {
        body: { userName: 'x', password: 'y' },
      });
    expect((await attempt()).status).toBe(401);
    expect((await attempt()).status).toBe(401);
    const third = await attempt();
    expect(third.status).toBe(429);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it("creates just-in-time users through the command handler, so the tenant's policy applies", async () => {
    entra.user = { oid: randomUUID(), preferred_username: `jit-${randomUUID()}@contoso.com`, name: 'Jit' };
    const created = await entraSignIn();
    expect(created.status).toBe(200);
    expect(created.body.subject.justInTime).toBe(true);
    const [{ source, entra_oid }] = await iam.app
      .get(DataSource)
      .query(`SELECT source, entra_oid FROM subjects WHERE id = $1`, [created.body.subject.id]);
    expect({ source, entra_oid }).toEqual({ source: 'sso-jit', entra_oid: entra.user.oid });

    // Policy on, no default userType: Entra's ID token carries none, so the tenant refuses the person.
    expect((await http(iam.url, 'PUT', '/v1/provisioning/settings', admin({}))).status).toBe(200);
    try {
      entra.user = { oid: randomUUID(), preferred_username: `jit-${randomUUID()}@contoso.com` };
      const refused = await entraSignIn();
      expect(refused.status).toBe(403);
      expect(refused.body.message).toMatch(
        /^just-in-time provisioning refused this account: userType is required/,
      );
    } finally {
      await http(iam.url, 'DELETE', '/v1/provisioning/settings', admin());
    }
  });
});
