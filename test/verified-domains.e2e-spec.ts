import {
  createTenant,
  http,
  issueAdminToken,
  PLATFORM_PERMISSIONS,
  RunningApp,
  startIamAdmin,
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
