import { generateKeyPairSync, KeyObject } from 'node:crypto';
import { createServer, Server } from 'node:http';
import jwt from 'jsonwebtoken';
import {
  createTenant,
  http,
  issueAdminToken,
  PLATFORM_PERMISSIONS,
  RunningApp,
  startIamAdmin,
} from '@test/support';

/** A real OpenID issuer on loopback: discovery document and JWKS, keys made for this run. */
async function startIssuer(): Promise<{ url: string; key: KeyObject; close(): Promise<void> }> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'test-key', use: 'sig', alg: 'RS256' };
  let url = '';
  const server: Server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/.well-known/openid-configuration') {
      res.end(JSON.stringify({ issuer: url, jwks_uri: `${url}/keys` }));
    } else if (req.url === '/keys') {
      res.end(JSON.stringify({ keys: [jwk] }));
    } else {
      res.statusCode = 404;
      res.end('{}');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return { url, key: privateKey, close: () => new Promise((r) => server.close(() => r())) };
}

describe('admin API with JWT access tokens from a configured issuer', () => {
  let issuer: Awaited<ReturnType<typeof startIssuer>>;
  let iam: RunningApp;
  let tenantId: string;
  let otherTenantId: string;
  const sign = (claims: object, options: jwt.SignOptions = {}, key: KeyObject = issuer.key) =>
    jwt.sign(claims, key, {
      algorithm: 'RS256',
      keyid: 'test-key',
      issuer: issuer.url,
      audience: 'iam-admin',
      expiresIn: '5m',
      subject: 'operator-1',
      ...options,
    });

  beforeAll(async () => {
    issuer = await startIssuer();
    iam = await startIamAdmin({ IAM_JWT_ISSUER: issuer.url, IAM_JWT_AUDIENCE: 'iam-admin' });
    const platform = await issueAdminToken(iam, PLATFORM_PERMISSIONS);
    tenantId = await createTenant(iam, platform);
    otherTenantId = await createTenant(iam, platform);
  });
  afterAll(async () => {
    await iam?.close();
    await issuer?.close();
  });

  it('accepts a JWT with iam:admin and a tenant claim, scoped to that tenant', async () => {
    const token = sign({ permissions: ['iam:admin'], tenant_id: tenantId });
    expect((await http(iam.url, 'GET', '/v1/sso/azuread', { token })).status).toBe(200);
    expect((await http(iam.url, 'GET', '/v1/scim', { token, tenantId: otherTenantId })).status).toBe(403);
  });

  it('reads a space-separated permissions claim too', async () => {
    const token = sign({ permissions: 'iam:read iam:admin', tenant_id: tenantId });
    expect((await http(iam.url, 'GET', '/v1/scim', { token })).status).toBe(200);
  });

  it('answers 403 for a valid JWT without iam:admin', async () => {
    const token = sign({ permissions: ['iam:read'], tenant_id: tenantId });
    expect((await http(iam.url, 'GET', '/v1/sso/azuread', { token })).status).toBe(403);
  });

  it('lets a platform-admin JWT without a tenant pick one with X-Tenant-Id', async () => {
    const token = sign({ permissions: ['iam:platform-admin', 'iam:admin'] });
    expect((await http(iam.url, 'GET', '/v1/tenants', { token })).status).toBe(200);
    expect((await http(iam.url, 'GET', '/v1/scim', { token, tenantId: otherTenantId })).status).toBe(200);
  });

  it('never lets a JWT bound to a tenant manage tenants, even with iam:platform-admin', async () => {
    const token = sign({ permissions: ['iam:platform-admin', 'iam:admin'], tenant_id: tenantId });
    expect((await http(iam.url, 'GET', '/v1/tenants', { token })).status).toBe(403);
    const create = await http(iam.url, 'POST', '/v1/tenants', { token, body: { displayName: 'Mine now' } });
    expect(create.status).toBe(403);
    expect((await http(iam.url, 'GET', '/v1/scim', { token, tenantId: otherTenantId })).status).toBe(403);
    // Nor mint a platform token, or a token carrying the permission it cannot use.
    const mint = await http(iam.url, 'POST', '/v1/admin-tokens', {
      token,
      body: { description: 'escalate', permissions: ['iam:platform-admin', 'iam:admin'] },
    });
    expect(mint.status).toBe(403);
    expect(mint.body.message).toContain('iam:platform-admin');
  });

  it('never lets a JWT session mint a permanent admin token: 90 days unless asked, at most 365', async () => {
    const DAY = 86_400_000;
    const mint = (token: string, body: Record<string, unknown>) =>
      http(iam.url, 'POST', '/v1/admin-tokens', { token, body: { description: 'from a session', ...body } });
    const platform = sign({ permissions: ['iam:platform-admin', 'iam:admin'] });
    const tenantAdmin = sign({ permissions: ['iam:admin'], tenant_id: tenantId });
    for (const [token, body] of [
      [platform, { permissions: ['iam:platform-admin', 'iam:admin'] }],
      [tenantAdmin, { permissions: ['iam:admin'] }],
    ] as const) {
      const defaulted = await mint(token, body);
      expect(defaulted.status).toBe(201);
      expect(defaulted.body.expiresAt).not.toBeNull();
      const lifetime = new Date(defaulted.body.expiresAt).getTime() - Date.now();
      expect(Math.abs(lifetime - 90 * DAY)).toBeLessThan(60_000);

      const tooLong = await mint(token, { ...body, expiresInDays: 366 });
      expect([tooLong.status, tooLong.body.errors?.[0]?.field]).toEqual([400, 'expiresInDays']);
      expect(tooLong.body.message).toContain('at most 365 days');
      expect((await mint(token, { ...body, expiresInDays: 365 })).status).toBe(201);
    }
  });

  it.each([
    ['expired', () => sign({ permissions: ['iam:admin'], tenant_id: 'x' }, { expiresIn: -10 })],
    ['wrong audience', () => sign({ permissions: ['iam:admin'] }, { audience: 'someone-else' })],
    ['wrong issuer', () => sign({ permissions: ['iam:admin'] }, { issuer: 'https://evil.example' })],
    [
      'signed by another key',
      () =>
        sign(
          { permissions: ['iam:admin'] },
          {},
          generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
        ),
    ],
    ['unsigned (alg none)', () => jwt.sign({ permissions: ['iam:admin'] }, '', { algorithm: 'none' })],
  ])('answers 401 for a JWT that is %s', async (_case, make) => {
    expect((await http(iam.url, 'GET', '/v1/sso/azuread', { token: make() })).status).toBe(401);
  });
});
