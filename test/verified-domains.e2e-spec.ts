import {
  createTenant,
  http,
  issueAdminToken,
  PLATFORM_PERMISSIONS,
  RunningApp,
  ScimStack,
  startIamAdmin,
  startScimStack,
  TestDnsServer,
} from '@test/support';

describe('verified domains (/v1/domains) against a real DNS server on loopback', () => {
  let dns: TestDnsServer;
  let iam: RunningApp;
  let tenantA: string;
  let tokenA: string;
  let tokenB: string;
  const TIMEOUT_MS = 800;

  const api = (token: string, method: string, path: string, body?: unknown) =>
    http(iam.url, method, path, { token, body });
  const a = (method: string, path: string, body?: unknown) => api(tokenA, method, path, body);

  beforeAll(async () => {
    dns = await new TestDnsServer().start();
    iam = await startIamAdmin({ IAM_DNS_SERVERS: dns.servers, IAM_DNS_TIMEOUT_MS: String(TIMEOUT_MS) });
    const platform = await issueAdminToken(iam, PLATFORM_PERMISSIONS);
    tenantA = await createTenant(iam, platform, 'domains A');
    const tenantB = await createTenant(iam, platform, 'domains B');
    tokenA = await issueAdminToken(iam, ['iam:admin'], tenantA);
    tokenB = await issueAdminToken(iam, ['iam:admin'], tenantB);
  });
  afterAll(async () => {
    await iam?.close();
    await dns?.stop();
  });

  it('answers the TXT record to publish; verifies only once DNS carries the token', async () => {
    const added = await a('POST', '/v1/domains', { domain: 'Contoso.COM.' });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({
      domain: 'contoso.com',
      status: 'pending',
      txtRecord: { name: '_iam-verify.contoso.com', value: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) },
      verifiedAt: null,
    });
    const token: string = added.body.txtRecord.value;

    // Nothing published yet: NXDOMAIN, said so, and still pending.
    const early = await a('POST', '/v1/domains/contoso.com/verify');
    expect(early.status).toBe(422);
    expect(early.body).toMatchObject({ reason: 'nxdomain', found: [] });
    expect(early.body.message).toContain('_iam-verify.contoso.com does not exist in DNS (NXDOMAIN)');
    expect(dns.questions).toContain('_iam-verify.contoso.com');
    const pending = await a('GET', '/v1/domains/contoso.com');
    expect(pending.body).toMatchObject({ status: 'pending', lastError: early.body.message });
    expect(pending.body.lastCheckedAt).not.toBeNull();

    // The name exists, with other TXT records only: they are named in the answer.
    dns.txt.set('_iam-verify.contoso.com', ['v=spf1 -all', 'someone-else']);
    const wrong = await a('POST', '/v1/domains/contoso.com/verify');
    expect(wrong.status).toBe(422);
    expect(wrong.body).toMatchObject({
      reason: 'no-matching-record',
      found: ['v=spf1 -all', 'someone-else'],
    });
    expect(wrong.body.message).toContain('"v=spf1 -all"');
    expect((await a('GET', '/v1/domains/contoso.com')).body.status).toBe('pending');

    // Published (split in two character-strings, as long TXT values are): verified.
    dns.txt.set('_iam-verify.contoso.com', ['v=spf1 -all', [token.slice(0, 20), token.slice(20)]]);
    const verified = await a('POST', '/v1/domains/CONTOSO.com/verify');
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({ domain: 'contoso.com', status: 'verified', lastError: null });
    expect(verified.body.verifiedAt).not.toBeNull();

    // Verified stays verified, without asking DNS again.
    dns.txt.delete('_iam-verify.contoso.com');
    const asked = dns.questions.length;
    expect((await a('POST', '/v1/domains/contoso.com/verify')).body.status).toBe('verified');
    expect(dns.questions.length).toBe(asked);
    expect((await a('GET', '/v1/domains')).body).toMatchObject([
      { domain: 'contoso.com', status: 'verified' },
    ]);
  });

  it('refuses a token that is not this claim’s, and an existing name without TXT records', async () => {
    await a('POST', '/v1/domains', { domain: 'fabrikam.example' });
    dns.txt.set('_iam-verify.fabrikam.example', []);
    const none = await a('POST', '/v1/domains/fabrikam.example/verify');
    expect(none.status).toBe(422);
    expect(none.body.message).toContain('_iam-verify.fabrikam.example has no TXT record');

    // A token from another claim (here: another tenant's for the same domain) does not verify this one.
    const other = await api(tokenB, 'POST', '/v1/domains', { domain: 'fabrikam.example' });
    expect(other.status).toBe(201);
    dns.txt.set('_iam-verify.fabrikam.example', [other.body.txtRecord.value]);
    const refused = await a('POST', '/v1/domains/fabrikam.example/verify');
    expect(refused.status).toBe(422);
    expect(refused.body.reason).toBe('no-matching-record');
    expect((await api(tokenB, 'POST', '/v1/domains/fabrikam.example/verify')).body.status).toBe('verified');
    expect((await a('GET', '/v1/domains/fabrikam.example')).body.status).toBe('pending');
  });

  it('gives up on a DNS server that does not answer within IAM_DNS_TIMEOUT_MS', async () => {
    await a('POST', '/v1/domains', { domain: 'slow.example' });
    dns.silent.add('_iam-verify.slow.example');
    const started = Date.now();
    const res = await a('POST', '/v1/domains/slow.example/verify');
    expect(res.status).toBe(422);
    expect(res.body.reason).toBe('timeout');
    expect(res.body.message).toContain(`timed out after ${TIMEOUT_MS} ms`);
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 2000);
    expect((await a('GET', '/v1/domains/slow.example')).body.status).toBe('pending');
  });

  it.each([
    ['an IP address', '192.0.2.1', 'not an IP address'],
    ['a wildcard', '*.contoso.com', 'wildcard'],
    ['a single label', 'intranet', 'two labels'],
    ['a URL', 'https://contoso.com/', 'host name'],
    ['a bad label', 'contoso-.com', 'labels'],
    ['not a string', 42, 'domain'],
  ])('refuses %s with 400 naming the field', async (_case, domain, reason) => {
    const res = await a('POST', '/v1/domains', { domain });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].field).toBe('domain');
    expect(res.body.message).toContain(reason);
  });

  it('refuses a domain added twice (any spelling) with 409', async () => {
    expect((await a('POST', '/v1/domains', { domain: 'twice.example' })).status).toBe(201);
    const again = await a('POST', '/v1/domains', { domain: 'TWICE.example.' });
    expect(again.status).toBe(409);
    expect(again.body.message).toContain("'twice.example' is already added");
  });

  it('deletes a domain (204), after which it is gone and can be claimed afresh with a new token', async () => {
    const first = await a('POST', '/v1/domains', { domain: 'gone.example' });
    expect((await a('DELETE', '/v1/domains/gone.example')).status).toBe(204);
    expect((await a('GET', '/v1/domains/gone.example')).status).toBe(404);
    expect((await a('DELETE', '/v1/domains/gone.example')).status).toBe(404);
    const again = await a('POST', '/v1/domains', { domain: 'gone.example' });
    expect(again.body.txtRecord.value).not.toBe(first.body.txtRecord.value);
  });

  it('keeps tenants apart: another tenant cannot see, verify or delete a domain', async () => {
    await a('POST', '/v1/domains', { domain: 'private.example' });
    const asked = dns.questions.length;
    expect((await api(tokenB, 'GET', '/v1/domains/private.example')).status).toBe(404);
    expect((await api(tokenB, 'POST', '/v1/domains/private.example/verify')).status).toBe(404);
    expect((await api(tokenB, 'DELETE', '/v1/domains/private.example')).status).toBe(404);
    expect(dns.questions.length).toBe(asked);
    const listedForB = (await api(tokenB, 'GET', '/v1/domains')).body as Array<{ domain: string }>;
    expect(listedForB.map((d) => d.domain)).not.toContain('private.example');
    expect((await a('GET', '/v1/domains/private.example')).status).toBe(200);
    // A token of tenant B naming tenant A is refused outright.
    const cross = await http(iam.url, 'GET', '/v1/domains', { token: tokenB, tenantId: tenantA });
    expect(cross.status).toBe(403);
  });

  it('needs an admin token', async () => {
    expect((await http(iam.url, 'GET', '/v1/domains')).status).toBe(401);
  });
});

describe('requireVerifiedDomain: SCIM manages only users of verified domains (seed 003)', () => {
  let dns: TestDnsServer;
  let s: ScimStack;
  const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
  const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
  const admin = (method: string, path: string, body?: unknown) =>
    http(s.iam.url, method, path, { token: s.platformToken, tenantId: s.tenantId, body });

  /** Claims the domain and publishes its token in DNS, then verifies it through the API. */
  async function verifyDomain(domain: string): Promise<void> {
    const added = await admin('POST', '/v1/domains', { domain });
    dns.txt.set(added.body.txtRecord.name, [added.body.txtRecord.value]);
    expect((await admin('POST', `/v1/domains/${domain}/verify`)).body.status).toBe('verified');
  }

  const createUser = (userName: string, email = userName) =>
    s.scim('POST', '/Users', {
      schemas: [USER],
      userName,
      emails: [{ value: email, type: 'work', primary: true }],
    });

  beforeAll(async () => {
    dns = await new TestDnsServer().start();
    s = await startScimStack({ iamEnv: { IAM_DNS_SERVERS: dns.servers } });
    const settings = await admin('PUT', '/v1/provisioning/settings', {
      requireVerifiedDomain: true,
      defaultUserType: 'Standard',
    });
    expect(settings.status).toBe(200);
    await verifyDomain('contoso.example');
  });
  afterAll(async () => {
    await s?.close();
    await dns?.stop();
  });

  it('refuses a SCIM create of a user of an unverified domain with 400 invalidValue naming it', async () => {
    const res = await createUser('bjensen@unverified.example');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ scimType: 'invalidValue' });
    expect(res.body.detail).toContain("'unverified.example' is not a verified domain");
  });

  it('accepts users of a verified domain, and checks the primary e-mail too', async () => {
    expect((await createUser('AJones@Contoso.example')).status).toBe(201);
    const email = await createUser('mjones@contoso.example', 'mjones@gmail.example');
    expect(email.status).toBe(400);
    expect(email.body.detail).toContain("emails (primary): the domain 'gmail.example'");
  });

  it('leaves users of a removed domain as they are, but refuses SCIM updates until it is verified again', async () => {
    await verifyDomain('fabrikam.example');
    const user = (await createUser('kim@fabrikam.example')).body;
    expect((await admin('DELETE', '/v1/domains/fabrikam.example')).status).toBe(204);

    const kept = await s.scim('GET', `/Users/${user.id}`);
    expect(kept.status).toBe(200);
    expect(kept.body).toEqual(user); // untouched, meta.version and lastModified included
    const patch = { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'displayName', value: 'Kim' }] };
    const refused = await s.scim('PATCH', `/Users/${user.id}`, patch);
    expect(refused.status).toBe(400);
    expect(refused.body.scimType).toBe('invalidValue');
    expect(refused.body.detail).toContain("'fabrikam.example'");
    expect((await s.scim('GET', `/Users/${user.id}`)).body.displayName).toBeUndefined();

    await verifyDomain('fabrikam.example');
    const accepted = await s.scim('PATCH', `/Users/${user.id}`, patch);
    expect(accepted.status).toBe(200);
    expect(accepted.body.displayName).toBe('Kim');
  });

  it('lets SCIM create users of any domain once the tenant no longer requires verified domains', async () => {
    await admin('PUT', '/v1/provisioning/settings', {
      requireVerifiedDomain: false,
      defaultUserType: 'Standard',
    });
    expect((await createUser('anyone@unverified.example')).status).toBe(201);
  });
});
