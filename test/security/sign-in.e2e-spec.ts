import { randomUUID } from 'node:crypto';
import { DataSource, QueryRunner } from 'typeorm';
import { SubjectsEntraOidUnique1764576000100 } from '../../libs/database/src/migrations/1764576000100-SubjectsEntraOidUnique';
import {
  appPkce,
  Browser,
  DISCOVERY_ERROR_BODY,
  EntraUser,
  eventually,
  FakeEntra,
  http,
  RunningApp,
  ScimStack,
  startScimStack,
} from '@test/support';

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

  /** IAM's 302 (in `browser`, which keeps IAM's sign-in cookie), then Entra's: where Entra sends the browser back. */
  async function authorize(
    redirectUri: string,
    query: Record<string, string> = {},
    browser = new Browser(),
  ): Promise<URL> {
    const start = await startLogin(redirectUri, query, 'guarded', browser);
    if (start.status !== 302) throw new Error(`start answered ${start.status}: ${await start.text()}`);
    const atEntra = await fetch(start.headers.get('location')!, { redirect: 'manual' });
    return new URL(atEntra.headers.get('location')!);
  }

  function startLogin(
    redirectUri: string,
    query: Record<string, string> = {},
    scheme = 'guarded',
    browser = new Browser(),
  ) {
    return browser.fetch(
      `${iam.url}/v1/login/${s.tenantId}/${scheme}?${new URLSearchParams({ redirect_uri: redirectUri, ...query })}`,
    );
  }

  /** A complete web sign-in as `user`, in one browser. */
  async function webSignIn(user: EntraUser): Promise<{ status: number; body: any }> {
    entra.user = user;
    const browser = new Browser();
    const res = await browser.fetch(await authorize(callback, {}, browser));
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
      // Wrong guesses use nothing up: the app still redeems its code, once, and nothing caches the token.
      const redeemed = await redeem({ code, state, code_verifier: app.verifier });
      expect(redeemed.status).toBe(200);
      expect(redeemed.headers.get('cache-control')).toBe('no-store');
      expect(redeemed.headers.get('pragma')).toBe('no-cache');
      const again = await redeem({ code, state, code_verifier: app.verifier });
      expect(again.status).toBe(401);
      expect(again.body.message).toContain('already used');
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

  describe('the web callback answers only the browser that started the sign-in', () => {
    it('gives a leaked callback URL (history, Referer, proxy log) nothing, and leaves the login to its browser', async () => {
      const user = await provisioned(`leaked-${randomUUID()}@contoso.com`);
      entra.user = { oid: randomUUID(), preferred_username: user.userName };
      const victim = new Browser();
      const start = await startLogin(callback, {}, 'guarded', victim);
      const [cookie] = start.headers.getSetCookie();
      // Plain http here, so not the __Host- name with Secure (unit-tested in browser-binding.spec.ts).
      expect(cookie).toMatch(/^iam-login=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=600; HttpOnly; SameSite=Lax$/);
      const state = new URL(start.headers.get('location')!).searchParams.get('state')!;
      expect(cookie).not.toContain(state);
      const leaked = new URL(
        (await fetch(start.headers.get('location')!, { redirect: 'manual' })).headers.get('location')!,
      );

      const bare = await fetch(leaked);
      expect(bare.status).toBe(401);
      const refused = await bare.text();
      expect(refused).toContain('another browser');
      expect(refused).not.toContain('accessToken');
      // A browser with a sign-in cookie of its own (the attacker's own login) fares no better.
      const attacker = new Browser();
      await startLogin(callback, {}, 'guarded', attacker);
      expect(attacker.cookies.get('iam-login')).toBeDefined();
      expect((await attacker.fetch(leaked)).status).toBe(401);

      const own = await victim.fetch(leaked);
      expect(own.status).toBe(200);
      expect(((await own.json()) as any).subject.id).toBe(user.id);
      expect(own.headers.get('cache-control')).toBe('no-store');
      expect(own.headers.get('pragma')).toBe('no-cache');
      expect(own.headers.getSetCookie()).toContainEqual(
        expect.stringMatching(/^iam-login=; Path=\/; Max-Age=0;/),
      );
      expect(victim.cookies.has('iam-login')).toBe(false);
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

  describe('object ids, whatever their case', () => {
    const db = () => iam.app.get(DataSource);

    it('finds a subject SCIM gave an uppercase GUID externalId, and records its oid in lowercase', async () => {
      const oid = randomUUID();
      const user = await provisioned(`upper-${oid}@contoso.com`, oid.toUpperCase());
      const first = await webSignIn({ oid, preferred_username: user.userName });
      expect(first.status).toBe(200);
      expect(first.body.subject.id).toBe(user.id);
      const [row] = await db().query(`SELECT entra_oid FROM subjects WHERE id = $1`, [user.id]);
      expect(row.entra_oid).toBe(oid);
      const upper = await webSignIn({ oid: oid.toUpperCase(), preferred_username: user.userName });
      expect(upper.status).toBe(200);
      expect(upper.body.subject.id).toBe(user.id);
    });

    it('lets no two live subjects of a tenant hold one object id, in any case', async () => {
      const oid = randomUUID();
      const a = await provisioned(`twin-a-${oid}@contoso.com`);
      const b = await provisioned(`twin-b-${oid}@contoso.com`);
      await db().query(`UPDATE subjects SET entra_oid = $2 WHERE id = $1`, [a.id, oid]);
      await expect(
        db().query(`UPDATE subjects SET entra_oid = upper($2) WHERE id = $1`, [b.id, oid]),
      ).rejects.toMatchObject({ driverError: { code: '23505' } });
      // A deprovisioned subject keeps its oid; the person may be provisioned again.
      await s.scim('DELETE', `/Users/${a.id}`);
      await db().query(`UPDATE subjects SET entra_oid = $2 WHERE id = $1`, [b.id, oid]);
    });

    /** `work` on this database as it was before the unique-oid migration, in a transaction rolled back after. */
    async function beforeMigration<T>(
      work: (q: QueryRunner, migration: SubjectsEntraOidUnique1764576000100) => Promise<T>,
    ): Promise<T> {
      const q = db().createQueryRunner();
      await q.startTransaction();
      try {
        const migration = new SubjectsEntraOidUnique1764576000100();
        await migration.down(q);
        return await work(q, migration);
      } finally {
        await q.rollbackTransaction();
        await q.release();
      }
    }

    it('migrates existing oids to lowercase', async () => {
      const oid = randomUUID();
      const user = await provisioned(`legacy-${oid}@contoso.com`);
      const migrated = await beforeMigration(async (q, migration) => {
        await q.query(`UPDATE subjects SET entra_oid = $2 WHERE id = $1`, [user.id, oid.toUpperCase()]);
        await migration.up(q);
        return (await q.query(`SELECT entra_oid FROM subjects WHERE id = $1`, [user.id]))[0].entra_oid;
      });
      expect(migrated).toBe(oid);
    });

    it('stops the migration, naming the subjects, when one oid is bound to two live subjects', async () => {
      const oid = randomUUID();
      const a = await provisioned(`dup-a-${oid}@contoso.com`);
      const b = await provisioned(`dup-b-${oid}@contoso.com`);
      const failure = await beforeMigration(async (q, migration) => {
        await q.query(`UPDATE subjects SET entra_oid = $2 WHERE id = $1`, [a.id, oid]);
        await q.query(`UPDATE subjects SET entra_oid = $2 WHERE id = $1`, [b.id, oid.toUpperCase()]);
        return migration.up(q).then(
          () => 'migrated',
          (error: Error) => error.message,
        );
      });
      const ids = [a.id, b.id].sort().join(', ');
      expect(failure).toContain(`tenant ${s.tenantId}, oid ${oid}: subjects ${ids}`);
      expect(failure).toContain('SET entra_oid = NULL');
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
      const browser = new Browser();
      const start = await startLogin(callback, {}, 'guarded', browser);
      const state = new URL(start.headers.get('location')!).searchParams.get('state')!;
      const lure = 'Your account is locked. Call +1 555 0100 to unlock it';
      const res = await browser.fetch(
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
        expect(((await res.json()) as any).message).toBe(discoveryFailed(rogue.issuer));
        expect(discoveryLog(rogue.issuer)).toContain('its issuer is not the configured authority');
      } finally {
        await rogue.stop();
      }
    });

    /** The one public answer to a failed discovery, whatever went wrong. */
    const discoveryFailed = (authority: string) =>
      `OpenID discovery at ${authority} failed; the details are in IAM's log`;
    const discoveryLog = (authority: string) =>
      iam.logs.lines.filter((l) => l.includes('oidc.discovery-failed') && l.includes(authority)).join('\n');

    it('answers a 500, a 404 and a closed port alike (no port scanner), with the reason in the log only', async () => {
      const failing = await new FakeEntra({ clientId: randomUUID(), clientSecret: 'broken' }).start();
      const missing = await new FakeEntra({ clientId: randomUUID(), clientSecret: 'missing' }).start();
      const closed = await new FakeEntra({ clientId: randomUUID(), clientSecret: 'closed' }).start();
      await closed.stop(); // nothing listens on its port any more
      try {
        failing.faults = { discoveryStatus: 500 };
        missing.faults = { discoveryStatus: 404 };
        const cases: Array<[string, FakeEntra, string]> = [
          ['broken', failing, 'HTTP 500'],
          ['missing', missing, 'HTTP 404'],
          ['closed', closed, 'no answer: ECONNREFUSED'],
        ];
        for (const [scheme, provider, reason] of cases) {
          await registerProvider(scheme, provider);
          const res = await startLogin(callback.replace('/guarded/', `/${scheme}/`), {}, scheme);
          const text = await res.text();
          expect(res.status).toBe(502);
          expect(JSON.parse(text).message).toBe(discoveryFailed(provider.issuer));
          expect(discoveryLog(provider.issuer)).toContain(reason);
          expect(text).not.toContain('hunter2');
        }
        expect(DISCOVERY_ERROR_BODY).toContain('hunter2');
        expect(iam.logs.text).not.toContain('hunter2');
      } finally {
        await failing.stop();
        await missing.stop();
      }
    });

    it('asks an authority whose discovery failed again only after OIDC_DISCOVERY_RETRY_SECONDS', async () => {
      const flaky = await new FakeEntra({ clientId: randomUUID(), clientSecret: 'flaky' }).start();
      try {
        flaky.faults = { discoveryStatus: 503 };
        await registerProvider('flaky', flaky);
        const start = () => startLogin(callback.replace('/guarded/', '/flaky/'), {}, 'flaky');
        expect((await start()).status).toBe(502);
        expect(flaky.discoveryRequests).toBe(1);
        flaky.faults = {};
        for (let i = 0; i < 5; i++) expect((await start()).status).toBe(502);
        expect(flaky.discoveryRequests).toBe(1);
        await eventually(async () => (await start()).status === 302, 10_000);
        expect(flaky.discoveryRequests).toBe(2);
      } finally {
        await flaky.stop();
      }
    });

    // (/common and /organizations are signed in with since issue 12: sso-login-multi-tenant.e2e-spec.ts.)
    it.each([
      ['the v1 token issuer', (t: string) => `https://sts.windows.net/${t}/`],
      ['/consumers', () => 'https://login.microsoftonline.com/consumers/v2.0'],
    ])(
      'refuses to save %s, which no sign-in could use (400 naming properties.authority)',
      async (_case, authority) => {
        const body = entra.providerBody('unusable', [callback], { authority: authority(randomUUID()) });
        const created = await http(iam.url, 'POST', '/v1/sso/azuread', { ...admin(), body });
        expect(created.status).toBe(400);
        expect(created.body.errors.map((e: { field: string }) => e.field)).toEqual(['properties.authority']);
        const patched = await http(iam.url, 'PATCH', '/v1/sso/azuread/guarded', {
          ...admin(),
          body: { properties: { authority: authority(randomUUID()) } },
        });
        expect(patched.status).toBe(400);
        expect(patched.body.message).toContain('properties.authority');
      },
    );
  });
});
