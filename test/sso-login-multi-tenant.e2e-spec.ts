import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import {
  Browser,
  createTenant,
  FakeEntra,
  http,
  issueAdminToken,
  PLATFORM_PERMISSIONS,
  RunningApp,
  startIamAdmin,
} from '@test/support';

/**
 * Entra's multi-tenant authorities (`/common`, `/organizations`): the discovery names the issuer
 * template `…/{tenantid}/v2.0`; each ID token must carry its own tenant's issuer, and a provider
 * may name the Entra tenants it accepts.
 */
describe('sign-in through a multi-tenant Entra authority', () => {
  let iam: RunningApp;
  let entra: FakeEntra;
  let token: string;
  let tenantId: string;
  const clientId = randomUUID();
  const contosoTid = randomUUID();
  const fabrikamTid = randomUUID();
  const admin = () => ({ token, tenantId });
  const callback = (scheme: string) => `${iam.url}/v1/login/${tenantId}/${scheme}/callback`;

  async function register(scheme: string, properties: Record<string, unknown>) {
    return http(iam.url, 'POST', '/v1/sso/azuread', {
      ...admin(),
      body: entra.providerBody(scheme, [callback(scheme)], { autoProvisioningEnabled: true, ...properties }),
    });
  }

  /** A browser's whole trip through IAM and the fake Entra, as `user` of Entra tenant `tid`. */
  async function signIn(
    scheme: string,
    tid: string,
  ): Promise<{ status: number; body: any; userName: string }> {
    const userName = `u-${randomUUID()}@${tid.slice(0, 8)}.example`;
    entra.user = { oid: randomUUID(), preferred_username: userName, tid };
    const browser = new Browser();
    const started = await browser.fetch(
      `${iam.url}/v1/login/${tenantId}/${scheme}?${new URLSearchParams({ redirect_uri: callback(scheme) })}`,
    );
    if (started.status !== 302) return { status: started.status, body: await started.json(), userName };
    const atEntra = await fetch(started.headers.get('location')!, { redirect: 'manual' });
    const back = await browser.fetch(atEntra.headers.get('location')!);
    return { status: back.status, body: await back.json(), userName };
  }

  const subjectsNamed = async (userName: string): Promise<number> =>
    (
      await iam.app
        .get(DataSource)
        .query(`SELECT count(*)::int AS n FROM subjects WHERE lower(user_name) = lower($1)`, [userName])
    )[0].n;

  beforeAll(async () => {
    iam = await startIamAdmin();
    token = await issueAdminToken(iam, PLATFORM_PERMISSIONS);
    tenantId = await createTenant(iam, token, 'multi-tenant sign-in');
    entra = await new FakeEntra({ clientId, clientSecret: 'secret' }).start();
  });
  afterAll(async () => {
    await iam?.close();
    await entra?.stop();
  });
  afterEach(() => {
    entra.faults = {};
  });

  it('signs in users of two Entra tenants through /common, each token carrying its own tenant as issuer', async () => {
    const created = await register('common', {
      authority: entra.multiTenantAuthority('common'),
      allowedEntraTenantIds: [contosoTid, fabrikamTid],
    });
    expect(created.status).toBe(201);
    expect(created.body.properties).toMatchObject({
      authority: entra.multiTenantAuthority('common'),
      allowedEntraTenantIds: [contosoTid, fabrikamTid],
    });
    for (const tid of [contosoTid, fabrikamTid]) {
      const res = await signIn('common', tid);
      expect(res.status).toBe(200);
      expect(res.body.subject).toMatchObject({ userName: res.userName, justInTime: true });
    }
  });

  it.each([
    ['an issuer of another Entra tenant than its tid', { issuerTenantId: randomUUID() }, 'unexpected iss'],
    ['no tid', { tid: null }, 'names no Entra tenant (tid'],
    ['a tid that is not a GUID', { tid: 'contoso' }, 'names no Entra tenant (tid'],
  ])('refuses a token with %s, creating no subject', async (_case, faults, reason) => {
    entra.faults = faults;
    const res = await signIn('common', contosoTid);
    expect(res.status).toBe(401);
    expect(res.body.message).toContain('sign-in failed');
    expect(res.body.message).toContain(reason);
    expect(await subjectsNamed(res.userName)).toBe(0);
  });

  it('accepts only the Entra tenants a provider names (allowedEntraTenantIds)', async () => {
    const patched = await http(iam.url, 'PATCH', '/v1/sso/azuread/common', {
      ...admin(),
      body: { properties: { allowedEntraTenantIds: [contosoTid.toUpperCase()] } },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.properties.allowedEntraTenantIds).toEqual([contosoTid]);

    expect((await signIn('common', contosoTid)).status).toBe(200);
    const refused = await signIn('common', fabrikamTid);
    expect(refused.status).toBe(401);
    expect(refused.body.message).toContain(
      `the Entra tenant ${fabrikamTid} is not one this provider accepts`,
    );
    expect(await subjectsNamed(refused.userName)).toBe(0);

    // An empty list would let every organization's Entra users in: refused, the list stays.
    const cleared = await http(iam.url, 'PATCH', '/v1/sso/azuread/common', {
      ...admin(),
      body: { properties: { allowedEntraTenantIds: [] } },
    });
    expect(cleared.status).toBe(400);
    expect(JSON.stringify(cleared.body)).toContain('properties.allowedEntraTenantIds');
    expect((await signIn('common', fabrikamTid)).status).toBe(401);
  });

  it.each(['common', 'organizations'] as const)(
    'refuses to save a /%s authority that does not name the Entra tenants it accepts',
    async (path) => {
      const res = await register(`open-${path}`, { authority: entra.multiTenantAuthority(path) });
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body)).toContain('properties.allowedEntraTenantIds');
    },
  );

  it('signs in through /organizations too', async () => {
    const orgs = await register('orgs', {
      authority: entra.multiTenantAuthority('organizations'),
      allowedEntraTenantIds: [fabrikamTid],
    });
    expect(orgs.status).toBe(201);
    expect((await signIn('orgs', fabrikamTid)).status).toBe(200);
  });

  it('refuses a multi-tenant discovery whose issuer is not the template (502, reason in the log)', async () => {
    const mixup = await register('mixup', {
      authority: entra.multiTenantAuthority('common'),
      allowedEntraTenantIds: [contosoTid],
    });
    expect(mixup.status).toBe(201);
    entra.faults = { discoveryIssuer: entra.issuer };
    const res = await signIn('mixup', contosoTid);
    expect(res.status).toBe(502);
    expect(iam.logs.text).toContain('its issuer is not the multi-tenant template');
  });

  it("takes the setup guide's authority https://…/{tenant} as …/{tenant}/v2.0, which keeps the exact issuer", async () => {
    const created = await register('seed-form', { authority: entra.issuer.replace(/\/v2\.0$/, '') });
    expect(created.status).toBe(201);
    expect(created.body.properties.authority).toBe(entra.issuer);
    expect((await signIn('seed-form', entra.tenantId)).status).toBe(200);
    // A tenant-specific authority accepts its own tenant's tokens only, even when correctly issued.
    const other = await signIn('seed-form', contosoTid);
    expect(other.status).toBe(401);
    expect(other.body.message).toContain('unexpected iss');
    expect(await subjectsNamed(other.userName)).toBe(0);
  });

  it.each([
    ['/consumers', { authority: 'https://login.microsoftonline.com/consumers/v2.0' }, 'properties.authority'],
    [
      'a tenant id that is not a GUID',
      { allowedEntraTenantIds: ['contoso.com'] },
      'properties.allowedEntraTenantIds',
    ],
  ])('refuses %s, naming the field', async (_case, properties, field) => {
    const res = await register(`bad-${randomUUID().slice(0, 8)}`, properties);
    expect(res.status).toBe(400);
    expect(res.body.errors[0].field).toBe(field);
  });
});
