import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import {
  appPkce,
  DISCOVERY_ERROR_BODY,
  EntraUser,
  FakeEntra,
  http,
  RunningApp,
  ScimStack,
  startScimStack,
} from '@app/testing';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** Attacks on sign-in: intercepted app codes, lookalike Entra accounts, stale sessions, mix-up, rogue discovery. */
describe('sign-in under attack', () => {
  let s: ScimStack;
  let iam: RunningApp;
  let entra: FakeEntra;
  let callback: string;
  const appRedirect = 'msauth.com.contoso.app://auth';
  const admin = () => ({ token: s.platformToken, tenantId: s.tenantId });

  async function registerProvider(
    scheme: string,
    at: FakeEntra,
    properties: Record<string, unknown> = {},
  ): Promise<void> {
    const redirects = [`${iam.url}/v1/login/${s.tenantId}/${scheme}/callback`, appRedirect];
    const body = at.providerBody(scheme, redirects, properties);
    const existing = await http(iam.url, 'GET', `/v1/sso/azuread/${scheme}`, admin());
    const res =
      existing.status === 200
        ? await http(iam.url, 'PUT', `/v1/sso/azuread/${scheme}`, { ...admin(), body })
        : await http(iam.url, 'POST', '/v1/sso/azuread', { ...admin(), body });
    if (res.status >= 300) throw new Error(res.text);
  }

  /** IAM's 302, then Entra's: where Entra sends the browser back (code, state). */
  async function authorize(redirectUri: string, query: Record<string, string> = {}): Promise<URL> {
    const start = await startLogin(redirectUri, query);
    if (start.status !== 302) throw new Error(`start answered ${start.status}: ${await start.text()}`);
    const atEntra = await fetch(start.headers.get('location')!, { redirect: 'manual' });
    return new URL(atEntra.headers.get('location')!);
  }

  function startLogin(redirectUri: string, query: Record<string, string> = {}, scheme = 'guarded') {
    return fetch(
      `${iam.url}/v1/login/${s.tenantId}/${scheme}?${new URLSearchParams({ redirect_uri: redirectUri, ...query })}`,
      { redirect: 'manual' },
    );
  }

  /** A complete web sign-in as `user`. */
  async function webSignIn(user: EntraUser): Promise<{ status: number; body: any }> {
    entra.user = user;
    const res = await fetch(await authorize(callback));
    return { status: res.status, body: await res.json() };
  }

  const redeem = (body: Record<string, unknown>) =>
    http(iam.url, 'POST', `/v1/login/${s.tenantId}/guarded/token`, { body });

  const provisioned = async (userName: string, externalId?: string) =>
    (await s.scim('POST', '/Users', { schemas: [USER], userName, externalId })).body;

  beforeAll(async () => {
    s = await startScimStack();
    iam = s.iam;
    callback = `${iam.url}/v1/login/${s.tenantId}/guarded/callback`;
    entra = await new FakeEntra({ clientId: randomUUID(), clientSecret: 'guarded-secret' }).start();
    await registerProvider('guarded', entra);
  });
  afterAll(async () => {
    await s?.close();
    await entra?.stop();
  });

  describe('mobile and desktop apps (RFC 7636, RFC 8252)', () => {
    it("refuses to start an app's sign-in without the app's own S256 code_challenge", async () => {
      const without = await startLogin(appRedirect);
      expect(without.status).toBe(400);
      expect(((await without.json()) as any).message).toContain('code_challenge');
      const plain = await startLogin(appRedirect, {
        code_challenge: appPkce().verifier,
        code_challenge_method: 'plain',
      });
      expect(plain.status).toBe(400);
      expect(((await plain.json()) as any).message).toContain('code_challenge_method');
      const webWithChallenge = await startLogin(callback, appPkce().query);
      expect(webWithChallenge.status).toBe(400);
    });

    it('gives an intercepted app code nothing without the verifier only the app holds', async () => {
      await provisioned(`victim-app-${randomUUID()}@contoso.com`).then((u) => {
        entra.user = { oid: randomUUID(), preferred_username: u.userName };
      });
      const app = appPkce();
      const intercepted = await authorize(appRedirect, app.query);
      const { code, state } = Object.fromEntries(intercepted.searchParams);
      const noVerifier = await redeem({ code, state });
      expect(noVerifier.status).toBe(400);
      expect(noVerifier.body.message).toContain('code_verifier');
      const guessed = await redeem({ code, state, code_verifier: appPkce().verifier });
      expect(guessed.status).toBe(401);
      expect(guessed.body.message).toContain('code_verifier does not match');
      expect(guessed.text).not.toContain('accessToken');
      // The login is used up: not even the app redeems it now (single use).
      expect((await redeem({ code, state, code_verifier: app.verifier })).status).toBe(401);
    });

    it('redeems a code only at the endpoint its login was started for', async () => {
      const user = await provisioned(`bound-flow-${randomUUID()}@contoso.com`);
      entra.user = { oid: randomUUID(), preferred_username: user.userName };
      // An app's code taken to the web callback (where IAM would use no verifier at all).
      const appResponse = await authorize(appRedirect, appPkce().query);
      const atWeb = await fetch(`${callback}?${appResponse.searchParams}`);
      expect(atWeb.status).toBe(401);
      expect(((await atWeb.json()) as any).message).toContain("app's redirect URI");
      // A web code taken to the app endpoint.
      const webResponse = await authorize(callback);
      const atApp = await redeem({
        ...Object.fromEntries(webResponse.searchParams),
        code_verifier: appPkce().verifier,
      });
      expect(atApp.status).toBe(401);
      expect(atApp.body.message).toContain('web callback');
      // And the state of one provider is nothing at another's callback.
      await registerProvider('other', entra);
      const otherCallback = `${iam.url}/v1/login/${s.tenantId}/other/callback`;
      const crossed = await fetch(`${otherCallback}?${(await authorize(callback)).searchParams}`);
      expect(crossed.status).toBe(401);
    });
  });

  describe('which subject a token is for (nOAuth)', () => {
    it('refuses another object id with the userName of a subject SCIM bound to an oid', async () => {
      const victim = await provisioned(`scim-bound-${randomUUID()}@contoso.com`, randomUUID());
      const res = await webSignIn({ oid: randomUUID(), preferred_username: victim.userName });
      expect(res.status).toBe(403);
      expect(res.body.message).toContain('another Entra identity');
      expect(res.body.accessToken).toBeUndefined();
    });

    it('binds by userName only once, records the binding, then refuses any other object id', async () => {
      const victim = await provisioned(`first-${randomUUID()}@contoso.com`);
      const oid = randomUUID();
      const first = await webSignIn({ oid, preferred_username: victim.userName });
      expect(first.status).toBe(200);
      expect(first.body.subject.id).toBe(victim.id);
      const [bound] = await iam.app
        .get(DataSource)
        .query(`SELECT event FROM subject_events WHERE aggregate_id = $1 AND event->>'type' = $2`, [
          victim.id,
          'subject.identity-bound',
        ]);
      expect(bound.event).toMatchObject({
        source: 'sso-login',
        subjectId: victim.id,
        identity: { provider: 'guarded', oid, matchedBy: 'userName' },
      });
      const logLine = iam.logs.lines.find(
        (l) => l.includes('subject.identity-bound') && l.includes(victim.id),
      );
      expect(logLine).toBeDefined();
      expect(logLine).not.toContain(victim.userName);

      const impostor = await webSignIn({
        oid: randomUUID(),
        preferred_username: victim.userName.toUpperCase(),
      });
      expect(impostor.status).toBe(403);
      expect(impostor.body.message).toContain('another Entra identity');
      expect((await webSignIn({ oid, preferred_username: victim.userName })).status).toBe(200);
    });

    it('never finds anyone by the unverified email claim', async () => {
      const victim = await provisioned(`mail-${randomUUID()}@contoso.com`);
      const res = await webSignIn({ oid: randomUUID(), email: victim.userName });
      expect(res.status).toBe(403);
      expect(res.body.message).toContain('not provisioned');
      const [row] = await iam.app
        .get(DataSource)
        .query(`SELECT entra_oid FROM subjects WHERE id = $1`, [victim.id]);
      expect(row.entra_oid).toBeNull();
    });
  });

  describe('IAM access tokens end with what they stand for', () => {
    async function session(): Promise<{ token: string; subjectId: string; oid: string }> {
      const oid = randomUUID();
      const user = await provisioned(`session-${oid}@contoso.com`, oid);
      const res = await webSignIn({ oid, preferred_username: user.userName });
      expect(res.status).toBe(200);
      return { token: res.body.accessToken, subjectId: user.id, oid };
    }
    const check = (token: string) => http(iam.url, 'GET', '/v1/session', { token });

    it('carries an audience, and answers 401 once the subject is deactivated or deprovisioned', async () => {
      const { token, subjectId } = await session();
      expect((await check(token)).body).toMatchObject({ aud: 'platform', sub: subjectId });
      await s.scim('PATCH', `/Users/${subjectId}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'Replace', path: 'active', value: 'False' }],
      });
      const deactivated = await check(token);
      expect(deactivated.status).toBe(401);
      expect(deactivated.body.message).toContain('deactivated');

      const other = await session();
      await s.scim('DELETE', `/Users/${other.subjectId}`);
      const deleted = await check(other.token);
      expect(deleted.status).toBe(401);
      expect(deleted.body.message).toContain('deprovisioned');
    });

    it('answers 401 while the provider or the tenant is disabled', async () => {
      const { token } = await session();
      await registerProvider('guarded', entra, { loginEnabled: false });
      try {
        expect((await check(token)).status).toBe(401);
      } finally {
        await registerProvider('guarded', entra);
      }
      expect((await check(token)).status).toBe(200);
      const disable = (enabled: boolean) =>
        http(iam.url, 'PATCH', `/v1/tenants/${s.tenantId}`, { token: s.platformToken, body: { enabled } });
      expect((await disable(false)).status).toBe(200);
      try {
        const res = await check(token);
        expect(res.status).toBe(401);
        expect(res.body.message).toContain('tenant');
      } finally {
        await disable(true);
      }
    });

    it('announces a logout on the subject-change stream, for services that verify tokens themselves', async () => {
      const { token, subjectId } = await session();
      const { jti } = (await check(token)).body;
      expect((await http(iam.url, 'POST', '/v1/logout', { token })).status).toBe(204);
      const [revoked] = await iam.app
        .get(DataSource)
        .query(`SELECT event FROM subject_events WHERE aggregate_id = $1 AND event->>'type' = $2`, [
          subjectId,
          'subject.session-revoked',
        ]);
      expect(revoked.event).toMatchObject({ subjectId, sessionId: jti, source: 'sso-login' });
    });
  });

  describe('the provider', () => {
    it('refuses an authorization response whose iss names another issuer (RFC 9207), advertised or not', async () => {
      const user = await provisioned(`mixup-${randomUUID()}@contoso.com`);
      entra.faults = { iss: 'https://login.attacker.example/v2.0' };
      try {
        const res = await webSignIn({ oid: randomUUID(), preferred_username: user.userName });
        expect(res.status).toBe(401);
        expect(res.body.message).toContain('iss mismatch');
      } finally {
        entra.faults = {};
      }
    });

    it("shows the provider's error code, never its (attacker-writable) description", async () => {
      const start = await startLogin(callback);
      const state = new URL(start.headers.get('location')!).searchParams.get('state')!;
      const lure = 'Your account is locked. Call +1 555 0100 to unlock it';
      const res = await fetch(
        `${callback}?${new URLSearchParams({ error: 'access_denied', error_description: lure, state })}`,
      );
      const body = (await res.json()) as any;
      expect(res.status).toBe(401);
      expect(body.message).toContain('access_denied');
      expect(body.message).not.toContain('Call');
    });

    it('never sends the browser where a discovery document naming another issuer says', async () => {
      const rogue = await new FakeEntra({ clientId: randomUUID(), clientSecret: 'rogue' }).start();
      try {
        rogue.faults = {
          discoveryIssuer: 'https://login.microsoftonline.com/common/v2.0',
          authorizationEndpoint: 'https://phish.attacker.example/authorize',
        };
        await registerProvider('rogue', rogue);
        const res = await startLogin(callback.replace('/guarded/', '/rogue/'), {}, 'rogue');
        expect(res.status).toBe(502);
        expect(res.headers.get('location')).toBeNull();
        expect(((await res.json()) as any).message).toContain('issuer is not the configured authority');
      } finally {
        await rogue.stop();
      }
    });

    it('names the authority and the HTTP status of a failed discovery, never its body', async () => {
      const broken = await new FakeEntra({ clientId: randomUUID(), clientSecret: 'broken' }).start();
      try {
        broken.faults = { discoveryStatus: 500 };
        await registerProvider('broken', broken);
        const res = await startLogin(callback.replace('/guarded/', '/broken/'), {}, 'broken');
        const text = await res.text();
        expect(res.status).toBe(502);
        expect(text).toContain(broken.issuer);
        expect(text).toContain('HTTP 500');
        expect(DISCOVERY_ERROR_BODY).toContain('hunter2');
        expect(text).not.toContain('diagnostics');
        expect(text).not.toContain('hunter2');
      } finally {
        await broken.stop();
      }
    });
  });
});
