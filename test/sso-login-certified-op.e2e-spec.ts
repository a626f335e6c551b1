import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { appPkce, Browser, http, ScimStack, seedProviderBody, startScimStack } from '@test/support';
import { CertifiedOp } from './support/certified-op';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

/**
 * Sign-in against a certified OpenID Provider (oidc-provider, configured like Entra ID v2.0), not
 * only the hand-written one: interoperability bugs show here. This provider advertises
 * `authorization_response_iss_parameter_supported` and sends RFC 9207's `iss` with every
 * authorization response, so a client that drops `iss` fails every sign-in.
 */
describe('sign-in against a certified OpenID Provider (oidc-provider, Entra-shaped)', () => {
  let s: ScimStack;
  let op: CertifiedOp;
  let callback: string;
  const mobileRedirect = 'msauth.com.contoso.app://auth';
  const clientId = randomUUID();

  beforeAll(async () => {
    s = await startScimStack();
    callback = `${s.iam.url}/v1/login/${s.tenantId}/certified/callback`;
    op = await new CertifiedOp({
      clientId,
      clientSecret: 'certified-client-secret',
      redirectUris: [callback, mobileRedirect],
    }).start();
    const res = await http(s.iam.url, 'POST', '/v1/sso/azuread', {
      token: s.platformToken,
      tenantId: s.tenantId,
      body: {
        ...seedProviderBody('certified', {
          clientId,
          clientSecret: 'certified-client-secret',
          authority: op.issuer,
          redirectUris: [callback, mobileRedirect],
        }),
        displayName: 'Certified OP',
      },
    });
    if (res.status !== 201) throw new Error(res.text);
  });
  afterAll(async () => {
    await s?.close();
    await op?.stop();
  });

  /**
   * IAM's redirect to the provider, then the provider's (scripted) login: where it sends the browser
   * back. `browser` keeps the cookie IAM sets for the web callback.
   */
  async function authorize(
    redirectUri: string,
    query: Record<string, string> = {},
    browser = new Browser(),
  ): Promise<URL> {
    const start = await browser.fetch(
      `${s.iam.url}/v1/login/${s.tenantId}/certified?${new URLSearchParams({ redirect_uri: redirectUri, ...query })}`,
    );
    expect(start.status).toBe(302);
    const location = new URL(start.headers.get('location')!);
    expect(location.href.startsWith(`${op.issuer}/auth?`)).toBe(true);
    return op.authorize(location);
  }

  async function backAtCallback(response: URL, browser: Browser): Promise<{ status: number; body: any }> {
    const res = await browser.fetch(response);
    return { status: res.status, body: await res.json() };
  }

  /** A web sign-in in one browser, from IAM's start to its callback. */
  async function webSignIn(
    edit: (response: URL) => void = () => undefined,
  ): Promise<{ status: number; body: any; response: URL }> {
    const browser = new Browser();
    const response = await authorize(callback, {}, browser);
    edit(response);
    return { ...(await backAtCallback(response, browser)), response };
  }

  it('completes a web code flow with PKCE, passing the RFC 9207 iss through, and provisions just in time', async () => {
    const oid = randomUUID();
    await op.signInAs({ oid, preferred_username: `web-${oid}@contoso.com`, name: 'Certified Web' });
    const { status, body, response } = await webSignIn();
    expect(response.searchParams.get('iss')).toBe(op.issuer);
    expect(status).toBe(200);
    expect(body.subject).toMatchObject({ userName: `web-${oid}@contoso.com`, justInTime: true });
    const [row] = await s.iam.app
      .get(DataSource)
      .query(`SELECT entra_oid FROM subjects WHERE id = $1`, [body.subject.id]);
    expect(row.entra_oid).toBe(oid);
    const session = await http(s.iam.url, 'GET', '/v1/session', { token: body.accessToken });
    expect(session.status).toBe(200);
    expect(session.body).toMatchObject({ sub: body.subject.id, idp: 'certified', aud: 'platform' });
  });

  it('signs in a SCIM-provisioned user found by its object id', async () => {
    const oid = randomUUID();
    const user = (
      await s.scim('POST', '/Users', {
        schemas: [USER],
        userName: `scim-${oid}@contoso.com`,
        externalId: oid,
      })
    ).body;
    await op.signInAs({ oid, preferred_username: `renamed-${oid}@contoso.com` });
    const { status, body } = await webSignIn();
    expect(status).toBe(200);
    expect(body.subject).toMatchObject({ id: user.id, justInTime: false });
  });

  it("completes an app's code flow: the app's PKCE verifier and the response's iss are posted to /token", async () => {
    const oid = randomUUID();
    await op.signInAs({ oid, preferred_username: `app-${oid}@contoso.com` });
    const pkce = appPkce();
    const response = await authorize(mobileRedirect, pkce.query);
    expect(response.protocol).toBe('msauth.com.contoso.app:');
    const token = await http(s.iam.url, 'POST', `/v1/login/${s.tenantId}/certified/token`, {
      body: { ...Object.fromEntries(response.searchParams), code_verifier: pkce.verifier },
    });
    expect(token.status).toBe(200);
    expect(token.body.subject.userName).toBe(`app-${oid}@contoso.com`);
  });

  it('refuses a response whose iss names another issuer (mix-up), and one whose iss was dropped', async () => {
    await op.signInAs({ oid: randomUUID(), preferred_username: `mixup-${randomUUID()}@contoso.com` });
    const refused = await webSignIn((r) =>
      r.searchParams.set('iss', 'https://login.attacker.example/common/v2.0'),
    );
    expect(refused.status).toBe(401);
    expect(refused.body.message).toContain('iss mismatch');

    const missing = await webSignIn((r) => r.searchParams.delete('iss'));
    expect(missing.status).toBe(401);
    expect(missing.body.message).toContain('iss missing');
  });
});
