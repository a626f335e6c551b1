import dns from 'node:dns';
import { randomUUID } from 'node:crypto';
import { createServer, Server } from 'node:http';
import { connect } from 'node:net';
import type Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { REDIS_CLIENT, validateEnvironment } from '@app/platform';
import { IamAdminConfig } from '../../apps/iam-admin/src/config/iam-admin.config';
import {
  baseEnv,
  createTenant,
  eventually,
  http,
  RunningApp,
  ScimStack,
  seedProviderBody,
  startScimGateway,
  startScimStack,
  uniqueQueuePrefix,
  withTenant,
} from '@test/support';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** A loopback HTTP server that records every request it gets. */
async function recorder(): Promise<{ port: number; hits: string[]; close(): Promise<void> }> {
  const hits: string[] = [];
  const server: Server = createServer((req, res) => {
    hits.push(req.url ?? '');
    res.statusCode = 200;
    res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { port, hits, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('outbound requests never reach loopback, private or metadata addresses (SSRF)', () => {
  let s: ScimStack;
  const admin = () => ({ token: s.platformToken, tenantId: s.tenantId });

  beforeAll(async () => {
    // The production posture: no OUTBOUND_ALLOW_LOOPBACK (the other tests' env sets it).
    s = await startScimStack({
      iamEnv: { OUTBOUND_ALLOW_LOOPBACK: 'false', WEBHOOK_BACKOFF_MS: '50', WEBHOOK_ATTEMPTS: '3' },
    });
  });
  afterAll(() => s?.close());

  it.each([
    'https://127.0.0.1/hook',
    'http://169.254.169.254/latest/meta-data/iam/security-credentials/',
    'http://[::1]:6379/',
    'https://[::ffff:127.0.0.1]/hook',
    'https://[::ffff:a9fe:a9fe]/hook',
    'https://2130706433/hook',
    'https://0x7f.0.0.1/hook',
    'https://localhost:5432/',
    'https://10.0.0.7/hook',
    'https://[fd00:ec2::254]/latest/meta-data/',
  ])('refuses to register a webhook to %s: 400 naming the field', async (url) => {
    const res = await http(s.iam.url, 'POST', '/v1/webhooks', { ...admin(), body: { url } });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'url' })]);
    expect(res.body.message).toMatch(/^url: /);
  });

  it('refuses to start in production with OUTBOUND_ALLOW_LOOPBACK=true', () => {
    const env = { ...baseEnv(), NODE_ENV: 'production', OUTBOUND_ALLOW_LOOPBACK: 'true' };
    expect(() => validateEnvironment(IamAdminConfig, env)).toThrow(
      /OUTBOUND_ALLOW_LOOPBACK cannot be true in production/,
    );
    expect(validateEnvironment(IamAdminConfig, { ...env, OUTBOUND_ALLOW_LOOPBACK: 'false' })).toBeDefined();
  });

  it('refuses a delivery to a name that resolves to loopback (DNS rebinding): dead-lettered at once', async () => {
    const receiver = await recorder();
    const realLookup = dns.lookup;
    // What a rebinding DNS server does: a public-looking name answers with a loopback address.
    const lookup = jest
      .spyOn(dns, 'lookup')
      .mockImplementation(((
        host: string,
        options: unknown,
        callback: (e: null, a: Array<{ address: string; family: number }>) => void,
      ) =>
        host === 'hooks.rebind.example'
          ? callback(null, [{ address: '127.0.0.1', family: 4 }])
          : (realLookup as (...a: unknown[]) => void)(
              host,
              options,
              callback,
            )) as unknown as typeof dns.lookup);
    try {
      const created = await http(s.iam.url, 'POST', '/v1/webhooks', {
        ...admin(),
        body: { url: `https://hooks.rebind.example:${receiver.port}/hook`, eventTypes: ['subject.created'] },
      });
      expect(created.status).toBe(201);
      await s.scim('POST', '/Users', { schemas: [USER], userName: `rebind-${randomUUID()}@contoso.com` });
      const deadLetters = async () =>
        (await http(s.iam.url, 'GET', `/v1/webhooks/${created.body.id}/dead-letters`, admin())).body;
      await eventually(async () => (await deadLetters()).length > 0);
      const letters = await deadLetters();
      expect(letters[0]).toMatchObject({ attempts: 1, lastError: expect.stringContaining('refused') });
      expect(letters[0].lastError).not.toContain('127.0.0.1'); // the tenant does not learn internal addresses
      expect(lookup).toHaveBeenCalledWith('hooks.rebind.example', expect.anything(), expect.anything());
      expect(receiver.hits).toEqual([]);
    } finally {
      lookup.mockRestore();
      await receiver.close();
    }
  });

  it('refuses a loopback authority when it is saved, and never fetches discovery from one', async () => {
    const op = await recorder();
    try {
      const body = seedProviderBody('loopback-op');
      body.properties.authority = `http://127.0.0.1:${op.port}/${randomUUID()}/v2.0`;
      const callback = `${s.iam.url}/v1/login/${s.tenantId}/loopback-op/callback`;
      body.properties.redirectUris = [callback];
      const refused = await http(s.iam.url, 'POST', '/v1/sso/azuread', { ...admin(), body });
      expect(refused.status).toBe(400);
      expect(JSON.stringify(refused.body)).toContain('properties.authority');

      // A name that later resolves (or rebinds) to loopback: saved while public, checked again on connect.
      body.properties.authority = `https://login.example.com/${randomUUID()}/v2.0`;
      expect((await http(s.iam.url, 'POST', '/v1/sso/azuread', { ...admin(), body })).status).toBe(201);
      await s.iam.app
        .get(DataSource)
        .query(
          `UPDATE identity_providers SET authority = $1 WHERE tenant_id = $2 AND scheme = 'loopback-op'`,
          [`http://127.0.0.1:${op.port}/${randomUUID()}/v2.0`, s.tenantId],
        );
      const start = await fetch(
        `${s.iam.url}/v1/login/${s.tenantId}/loopback-op?redirect_uri=${encodeURIComponent(callback)}`,
        { redirect: 'manual' },
      );
      expect(start.status).toBe(502);
      expect(op.hits).toEqual([]);
    } finally {
      await op.close();
    }
  });
});

describe('logs carry no personal data unless LOG_PERSONAL_DATA is on', () => {
  /** A filter read, a filter PostgreSQL refuses, and a duplicate create: each carries the marker. */
  async function exercise(s: ScimStack, marker: string): Promise<void> {
    const userName = `${marker}@contoso.com`;
    await s.scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}&count=5`);
    // Date.parse accepts this and PostgreSQL's timestamptz does not: a failing query with the value as parameter.
    await s.scim('GET', `/Users?filter=${encodeURIComponent(`meta.lastModified gt "${marker} 2020"`)}`);
    expect((await s.scim('POST', '/Users', { schemas: [USER], userName })).status).toBe(201);
    expect((await s.scim('POST', '/Users', { schemas: [USER], userName })).status).toBe(409);
  }

  it('redacts query values and error parameters by default', async () => {
    const s = await startScimStack();
    try {
      const marker = `pii${randomUUID().replace(/-/g, '').slice(0, 12)}`;
      await exercise(s, marker);
      expect(s.gateway.logs.text).toContain('filter=[redacted]&count=[redacted]');
      expect(s.gateway.logs.text).not.toContain(marker);
      expect(s.iam.logs.text).not.toContain(marker);
    } finally {
      await s.close();
    }
  });

  it('logs them with LOG_PERSONAL_DATA=true, for debugging', async () => {
    const s = await startScimStack({
      iamEnv: { LOG_PERSONAL_DATA: 'true' },
      gatewayEnv: { LOG_PERSONAL_DATA: 'true' },
    });
    try {
      const marker = `pii${randomUUID().replace(/-/g, '').slice(0, 12)}`;
      await exercise(s, marker);
      expect(s.gateway.logs.text).toContain(marker);
    } finally {
      await s.close();
    }
  });
});

describe('HTTP edge: rate limits, proxies, timeouts, body limits', () => {
  let s: ScimStack;
  let other: ScimStack;
  const gateways: RunningApp[] = [];
  const scimGet = (
    gateway: RunningApp,
    token: string,
    headers: Record<string, string> = {},
    path = '/api/scim/v2/Users',
  ) => http(gateway.url, 'GET', path, { token, headers });

  beforeAll(async () => {
    s = await startScimStack({
      iamEnv: { LOGIN_RATE_LIMIT_PER_IP: '3', HTTP_REQUEST_TIMEOUT_MS: '1000' },
      gatewayEnv: { SCIM_RATE_LIMIT_PER_TOKEN: '5' },
    });
    other = await withTenant(s.iam, s.gateway, s.platformToken, await createTenant(s.iam, s.platformToken));
  });
  afterAll(async () => {
    for (const gateway of gateways) await gateway.close();
    await s?.close();
  });

  const gatewayWith = async (env: Record<string, string>) => {
    // Its own key prefix: the counters of the stack's gateway (same address) do not count here.
    const gateway = await startScimGateway({ QUEUE_PREFIX: uniqueQueuePrefix(), ...env });
    gateways.push(gateway);
    return gateway;
  };

  it("limits each SCIM token on its own: 429 in the SCIM error schema with Retry-After; another tenant's token is not slowed", async () => {
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await s.scim('GET', '/Users?count=1'));
    expect(answers.slice(0, 5).map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    const limited = answers[5]!;
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ schemas: [ERROR], status: '429' });
    expect(limited.headers.get('content-type')).toContain('application/scim+json');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect((await other.scim('GET', '/Users?count=1')).status).toBe(200);
    // The limiter keys by token digest: the token itself is never a Redis key.
    const keys = await s.gateway.app.get<Redis>(REDIS_CLIENT).keys(`${s.iam.env.QUEUE_PREFIX}:rate:*`);
    expect(keys.join(' ')).not.toContain(s.scimToken);
    expect(keys.some((k) => k.includes('scim-token:'))).toBe(true);
  });

  it('limits each client address, whatever token it makes up; X-Forwarded-For is ignored unless TRUST_PROXY', async () => {
    const gateway = await gatewayWith({ SCIM_RATE_LIMIT_PER_IP: '4' });
    const statuses = [];
    for (let i = 0; i < 5; i++) {
      // A tenant id spelled `healthy…` is a SCIM route like any other, not a health probe.
      const path = i % 2 === 0 ? '/api/scim/v2/Users' : `/healthy${i}/api/scim/v2/Users`;
      const res = await scimGet(
        gateway,
        `scim_${randomUUID()}`,
        { 'x-forwarded-for': `203.0.113.${i}` },
        path,
      );
      statuses.push(res.status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 429]);

    const behindProxy = await gatewayWith({ SCIM_RATE_LIMIT_PER_IP: '4', TRUST_PROXY: '127.0.0.1' });
    const proxied = [];
    for (let i = 0; i < 5; i++) {
      const res = await scimGet(behindProxy, `scim_${randomUUID()}`, { 'x-forwarded-for': `203.0.113.${i}` });
      proxied.push(res.status);
    }
    expect(proxied).toEqual([401, 401, 401, 401, 401]);
  });

  it('builds SCIM locations from the connection, not from X-Forwarded-Proto, unless TRUST_PROXY', async () => {
    const res = await http(other.gateway.url, 'POST', `${other.base}/Users`, {
      token: other.scimToken,
      body: { schemas: [USER], userName: `proto-${randomUUID()}@contoso.com` },
      headers: { 'content-type': 'application/scim+json', 'x-forwarded-proto': 'https' },
    });
    expect(res.status).toBe(201);
    expect(res.body.meta.location).toMatch(/^http:\/\/127\.0\.0\.1:/);
  });

  it('limits the public sign-in endpoints per address: 429 with Retry-After', async () => {
    const statuses = [];
    // Percent-encoded paths reach the same routes, so they count the same.
    for (const login of ['login', '%6Cogin', 'login', '%6cogin'])
      statuses.push(await http(s.iam.url, 'GET', `/v1/${login}/${s.tenantId}/providers`));
    expect(statuses.slice(0, 3).map((r) => r.status)).toEqual([200, 200, 200]);
    expect(statuses[3]).toMatchObject({ status: 429, body: { statusCode: 429 } });
    expect(Number(statuses[3]!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // The admin API itself is not behind the sign-in limit.
    expect((await http(s.iam.url, 'GET', '/v1/tenants', { token: s.platformToken })).status).toBe(200);
  });

  it('answers 408 to a client that does not finish its request in time (slow body)', async () => {
    const port = Number(new URL(s.iam.url).port);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () =>
        socket.write(
          'POST /v1/tenants HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{',
        ),
      );
      let data = '';
      socket.on('data', (chunk) => (data += chunk.toString()));
      socket.on('close', () => resolve(data));
      socket.on('error', reject);
      setTimeout(() => {
        socket.destroy();
        resolve(data);
      }, 8000);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
  });

  it('refuses an oversized admin body with 413 while it streams in, before any parsing (declared or chunked)', async () => {
    const junk = 'x'.repeat(300 * 1024); // not even JSON: a parser would answer 400
    const declared = await http(s.iam.url, 'POST', '/v1/tenants', { token: s.platformToken, rawBody: junk });
    expect(declared.status).toBe(413);
    const chunked = await fetch(`${s.iam.url}/v1/tenants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.platformToken}`, 'content-type': 'application/json' },
      body: new ReadableStream({
        start(controller) {
          for (let i = 0; i < 30; i++) controller.enqueue(new TextEncoder().encode('x'.repeat(10 * 1024)));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
  });
});
