import { http, RunningApp, ScimStack, seedProviderBody, startIamAdmin, startScimStack } from '@test/support';

/** Seed 004: the connector details a customer copies into Entra (SCIM URL, OIDC redirect URIs). */
describe('Azure AD connector details (GET /v1/sso/azuread/{scheme})', () => {
  let s: ScimStack;
  let published: RunningApp;
  const IAM_PUBLIC_URL = 'https://iam.contoso.test';
  const app = 'msauth.com.contoso.app://auth';
  const desktop = 'http://127.0.0.1:8400/callback';
  const admin = () => ({ token: s.platformToken, tenantId: s.tenantId });

  beforeAll(async () => {
    s = await startScimStack();
    // A second IAM of the same installation, told where the gateway and IAM itself are published.
    published = await startIamAdmin({
      QUEUE_PREFIX: s.iam.env.QUEUE_PREFIX,
      SCIM_PUBLIC_URL: `${s.gateway.url}/`,
      IAM_PUBLIC_URL,
    });
  });
  afterAll(async () => {
    await published?.close();
    await s?.close();
  });

  it('names the SCIM base URL and the web and mobile/desktop redirect URIs from the public URLs', async () => {
    const web = `${IAM_PUBLIC_URL}/v1/login/${s.tenantId}/contoso/callback`;
    const created = await http(published.url, 'POST', '/v1/sso/azuread', {
      ...admin(),
      body: seedProviderBody('contoso', { redirectUris: [web, app, desktop] }),
    });
    expect(created.status).toBe(201);
    const res = await http(published.url, 'GET', '/v1/sso/azuread/contoso', admin());
    expect(res.body.connector).toEqual({
      scimBaseUrl: `${s.gateway.url}/${s.tenantId}/api/scim/v2`,
      redirectUris: { web, mobileAndDesktop: [app, desktop] },
    });
    const listed = await http(published.url, 'GET', '/v1/sso/azuread', admin());
    expect(listed.body.find((p: { scheme: string }) => p.scheme === 'contoso').connector).toEqual(
      res.body.connector,
    );

    // The SCIM base URL is the one Entra's "Test Connection" reaches, with the tenant's SCIM token.
    const probe = await fetch(`${res.body.connector.scimBaseUrl}/Users?filter=userName+eq+%22nobody%22`, {
      headers: { authorization: `Bearer ${s.scimToken}` },
    });
    expect(probe.status).toBe(200);
    expect(((await probe.json()) as { totalResults: number }).totalResults).toBe(0);
  });

  it('defaults to this machine: IAM on IAM_PORT, the gateway on 3001', async () => {
    const res = await http(s.iam.url, 'GET', `/v1/sso/azuread/${s.provider}`, admin());
    expect(res.status).toBe(200);
    expect(res.body.connector).toEqual({
      scimBaseUrl: `http://127.0.0.1:3001/${s.tenantId}/api/scim/v2`,
      redirectUris: {
        web: `http://127.0.0.1:3000/v1/login/${s.tenantId}/${s.provider}/callback`,
        mobileAndDesktop: [],
      },
    });
  });

  it('lists as mobile/desktop every registered redirect URI that is not IAM’s callback', async () => {
    const res = await http(s.iam.url, 'PATCH', `/v1/sso/azuread/${s.provider}`, {
      ...admin(),
      body: {
        properties: { redirectUris: [`${s.iam.url}/v1/login/${s.tenantId}/${s.provider}/callback`, app] },
      },
    });
    expect(res.status).toBe(200);
    expect(res.body.connector.redirectUris.mobileAndDesktop).toEqual([app]);
  });
});
