import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { connect, createServer, Socket } from 'node:net';
import { promisify } from 'node:util';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { REDIS_CLIENT } from '@app/platform';
import {
  createScratchDatabase,
  createTenant,
  eventually,
  http,
  issueAdminToken,
  PLATFORM_PERMISSIONS,
  RunningApp,
  ScimStack,
  spawnIamAdmin,
  startIamAdmin,
  startScimGateway,
  startScimStack,
  testFileDatabaseUrl,
  withTenant,
} from '@test/support';
import { SEALED_COLUMNS } from '../../apps/iam-admin/src/crypto/sealed-columns';
import { SecretCipher } from '../../apps/iam-admin/src/crypto/secret-cipher';
import { secretKeyRing } from '../../apps/iam-admin/src/crypto/secret-keys';
import { ScimTokenVerifier } from '../../apps/scim-gateway/src/scim-auth/scim-token-verifier';

const ADMIN = ['iam:admin'];
const mint = (iam: RunningApp, token: string, body: Record<string, unknown>) =>
  http(iam.url, 'POST', '/v1/admin-tokens', { token, body: { description: 'test', ...body } });

describe('admin tokens: who may mint, list and revoke which', () => {
  let iam: RunningApp;
  let platform: string;
  let tenantA: string;
  let tenantB: string;

  beforeAll(async () => {
    iam = await startIamAdmin();
    platform = await issueAdminToken(iam, PLATFORM_PERMISSIONS);
    tenantA = await createTenant(iam, platform, 'A');
    tenantB = await createTenant(iam, platform, 'B');
  });
  afterAll(() => iam?.close());

  it('shows the value once (iamadm_…), stores a digest, lists without values, revokes at once', async () => {
    const created = await mint(iam, platform, { permissions: ADMIN, tenantId: tenantA, expiresInDays: 30 });
    expect(created.status).toBe(201);
    const token: string = created.body.token;
    expect(token).toMatch(/^iamadm_[A-Za-z0-9_-]{43}$/);
    expect(created.body).toMatchObject({ tenantId: tenantA, permissions: ADMIN, tokenHint: token.slice(-4) });
    expect(created.body.createdBy).toMatch(/^admin-token:/);
    expect(new Date(created.body.expiresAt).getTime()).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    expect(iam.logs.text).not.toContain(token);

    const [row] = await iam.app
      .get(DataSource)
      .query(`SELECT token_hash FROM admin_tokens WHERE id = $1`, [created.body.id]);
    expect(row.token_hash).toMatch(/^[0-9a-f]{64}$/);

    expect((await http(iam.url, 'GET', '/v1/scim', { token })).status).toBe(200);
    const listed = await http(iam.url, 'GET', '/v1/admin-tokens', { token: platform });
    const entry = listed.body.find((t: { id: string }) => t.id === created.body.id);
    expect(entry).toMatchObject({ tokenHint: token.slice(-4) });
    expect(entry.lastUsedAt).not.toBeNull();
    expect(listed.text).not.toContain(token);
    expect(listed.text).not.toContain(row.token_hash);

    const revoked = await http(iam.url, 'DELETE', `/v1/admin-tokens/${created.body.id}`, { token: platform });
    expect(revoked.status).toBe(204);
    expect((await http(iam.url, 'GET', '/v1/scim', { token })).status).toBe(401);
    expect(
      (await http(iam.url, 'DELETE', `/v1/admin-tokens/${created.body.id}`, { token: platform })).status,
    ).toBe(404);
  });

  it('lets a tenant token mint only for its own tenant, only what it has', async () => {
    const tenantAdmin = await issueAdminToken(iam, ADMIN, tenantA);
    const own = await mint(iam, tenantAdmin, { permissions: ADMIN });
    expect(own.status).toBe(201);
    expect(own.body.tenantId).toBe(tenantA);
    expect((await mint(iam, tenantAdmin, { permissions: ADMIN, tenantId: tenantB })).status).toBe(403);
    const escalate = await mint(iam, tenantAdmin, { permissions: ['iam:platform-admin', 'iam:admin'] });
    expect(escalate.status).toBe(403);
    expect(escalate.body.message).toContain('lacks: iam:platform-admin');

    // It sees and revokes its own tenant's tokens only.
    const listed = await http(iam.url, 'GET', '/v1/admin-tokens', { token: tenantAdmin });
    expect(listed.body.every((t: { tenantId: string }) => t.tenantId === tenantA)).toBe(true);
    const bToken = await mint(iam, platform, { permissions: ADMIN, tenantId: tenantB });
    expect(
      (await http(iam.url, 'DELETE', `/v1/admin-tokens/${bToken.body.id}`, { token: tenantAdmin })).status,
    ).toBe(404);
    expect(
      (await http(iam.url, 'DELETE', `/v1/admin-tokens/${own.body.id}`, { token: tenantAdmin })).status,
    ).toBe(204);
  });

  it('refuses tokens that make no sense, naming the field', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ permissions: ['iam:root'] }, 'permissions'],
      [{ permissions: [] }, 'permissions'],
      [{ permissions: ADMIN }, 'tenantId'], // a platform-level token without iam:platform-admin
      [{ permissions: PLATFORM_PERMISSIONS, tenantId: tenantA }, 'permissions'],
      [{ permissions: ADMIN, tenantId: '00000000-0000-4000-8000-000000000000' }, 'tenantId'],
      [{ permissions: ADMIN, tenantId: tenantA, expiresInDays: 0 }, 'expiresInDays'],
    ];
    for (const [body, field] of cases) {
      const res = await mint(iam, platform, body);
      expect([res.status, res.body.errors?.[0]?.field]).toEqual([400, field]);
    }
  });

  it('never lets a tenant-bound token act on tenants, even with iam:platform-admin in it', async () => {
    const confused = await issueAdminToken(iam, PLATFORM_PERMISSIONS, tenantA);
    expect((await http(iam.url, 'GET', '/v1/tenants', { token: confused })).status).toBe(403);
    const disable = await http(iam.url, 'PATCH', `/v1/tenants/${tenantB}`, {
      token: confused,
      body: { enabled: false },
    });
    expect(disable.status).toBe(403);
    expect((await http(iam.url, 'GET', '/v1/scim', { token: confused, tenantId: tenantB })).status).toBe(403);
    expect((await mint(iam, confused, { permissions: PLATFORM_PERMISSIONS })).status).toBe(403);
    expect((await http(iam.url, 'GET', '/v1/scim', { token: confused })).status).toBe(200);
  });

  it('enforces expiry, and a token never outlives the admin token that made it', async () => {
    const shortLived = await mint(iam, platform, { permissions: ADMIN, tenantId: tenantA, expiresInDays: 1 });
    const token: string = shortLived.body.token;
    const longer = await mint(iam, token, { permissions: ADMIN, expiresInDays: 30 });
    expect([longer.status, longer.body.errors?.[0]?.field]).toEqual([400, 'expiresInDays']);
    const inherited = await mint(iam, token, { permissions: ADMIN });
    expect(inherited.body.expiresAt).toBe(shortLived.body.expiresAt);

    await iam.app
      .get(DataSource)
      .query(`UPDATE admin_tokens SET expires_at = now() - interval '1 second' WHERE id = $1`, [
        shortLived.body.id,
      ]);
    expect((await http(iam.url, 'GET', '/v1/scim', { token })).status).toBe(401);
  });
});

describe('the last platform admin token', () => {
  it('cannot be revoked by accident (409); rotation works with a new token first, even when raced', async () => {
    const db = await createScratchDatabase();
    const bootstrap = 'iamadm_' + 'r'.repeat(43);
    const iam = await startIamAdmin({ DATABASE_URL: db.url, IAM_BOOTSTRAP_ADMIN_TOKEN: bootstrap });
    try {
      const [{ id: bootstrapId }] = (await http(iam.url, 'GET', '/v1/admin-tokens', { token: bootstrap }))
        .body;
      const alone = await http(iam.url, 'DELETE', `/v1/admin-tokens/${bootstrapId}`, { token: bootstrap });
      expect(alone.status).toBe(409);
      expect(alone.body.message).toContain('last working platform admin token');

      const next = await mint(iam, bootstrap, { permissions: PLATFORM_PERMISSIONS });
      expect(next.status).toBe(201);
      const rotated = await http(iam.url, 'DELETE', `/v1/admin-tokens/${bootstrapId}`, {
        token: next.body.token,
      });
      expect(rotated.status).toBe(204);
      expect((await http(iam.url, 'GET', '/v1/tenants', { token: bootstrap })).status).toBe(401);

      // Two platform tokens revoke each other at once: exactly one goes.
      const third = await mint(iam, next.body.token, { permissions: PLATFORM_PERMISSIONS });
      const results = await Promise.all([
        http(iam.url, 'DELETE', `/v1/admin-tokens/${third.body.id}`, { token: next.body.token }),
        http(iam.url, 'DELETE', `/v1/admin-tokens/${next.body.id}`, { token: third.body.token }),
      ]);
      expect(results.filter((r) => r.status === 204)).toHaveLength(1);
      expect(results.every((r) => [204, 409, 401].includes(r.status))).toBe(true);
      const left = await iam.app
        .get(DataSource)
        .query(`SELECT count(*)::int AS n FROM admin_tokens WHERE tenant_id IS NULL`);
      expect(left[0].n).toBe(1);
      await iam.close();

      // A restart with the old bootstrap value still in the environment does not bring it back.
      const again = await startIamAdmin({ DATABASE_URL: db.url, IAM_BOOTSTRAP_ADMIN_TOKEN: bootstrap });
      expect((await http(again.url, 'GET', '/v1/tenants', { token: bootstrap })).status).toBe(401);
      await again.close();
    } finally {
      await iam.close().catch(() => undefined);
      await db.drop();
    }
  });
});

describe('the last platform admin token is one that can still mint admin tokens', () => {
  let db: Awaited<ReturnType<typeof createScratchDatabase>>;
  let iam: RunningApp;
  const bootstrap = 'iamadm_' + 'p'.repeat(43);

  beforeAll(async () => {
    db = await createScratchDatabase();
    iam = await startIamAdmin({ DATABASE_URL: db.url, IAM_BOOTSTRAP_ADMIN_TOKEN: bootstrap });
  });
  afterAll(async () => {
    await iam?.close();
    await db?.drop();
  });

  it('does not count a platform token without iam:admin (it cannot reach /v1/admin-tokens)', async () => {
    const [{ id: bootstrapId }] = (await http(iam.url, 'GET', '/v1/admin-tokens', { token: bootstrap })).body;
    const tenantsOnly = await mint(iam, bootstrap, { permissions: ['iam:platform-admin'] });
    expect(tenantsOnly.status).toBe(201);
    const revoked = await http(iam.url, 'DELETE', `/v1/admin-tokens/${bootstrapId}`, { token: bootstrap });
    expect(revoked.status).toBe(409);
    expect(revoked.body.message).toContain('iam:platform-admin and iam:admin');
    // What the kept token protects: the installation can still mint its next token.
    expect((await mint(iam, tenantsOnly.body.token, { permissions: ['iam:platform-admin'] })).status).toBe(
      403,
    );
    expect((await mint(iam, bootstrap, { permissions: PLATFORM_PERMISSIONS })).status).toBe(201);
  });

  it("revokes a tenant's token without waiting on the platform tokens' locks", async () => {
    const tenantId = await createTenant(iam, bootstrap);
    const tenantToken = await mint(iam, bootstrap, { permissions: ADMIN, tenantId });
    // Another session holds every platform token's row lock (a platform revocation in progress).
    const holder = await new DataSource({ type: 'postgres', url: db.url }).initialize();
    const runner = holder.createQueryRunner();
    await runner.startTransaction();
    try {
      await runner.query(`SELECT id FROM admin_tokens WHERE tenant_id IS NULL FOR UPDATE`);
      const revoke = http(iam.url, 'DELETE', `/v1/admin-tokens/${tenantToken.body.id}`, { token: bootstrap });
      const waited = new Promise<'waited'>((r) => setTimeout(() => r('waited'), 3000));
      const first = await Promise.race([revoke.then((r) => r.status), waited]);
      await runner.rollbackTransaction();
      expect(first).toBe(204);
      await revoke;
    } finally {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      await runner.release();
      await holder.destroy();
    }
  });
});

describe('configuration that would silently weaken checks is refused at start', () => {
  const env = { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/never-used' };

  it('refuses an IAM_BOOTSTRAP_ADMIN_TOKEN without the iamadm_ prefix', async () => {
    const start = spawnIamAdmin({ ...env, IAM_BOOTSTRAP_ADMIN_TOKEN: 'x'.repeat(48) });
    await expect(start).rejects.toThrow(/exited at start[\s\S]*IAM_BOOTSTRAP_ADMIN_TOKEN must be iamadm_/);
  });

  it('refuses an empty IAM_JWT_AUDIENCE when IAM_JWT_ISSUER is set', async () => {
    const start = spawnIamAdmin({ ...env, IAM_JWT_ISSUER: 'https://issuer.example', IAM_JWT_AUDIENCE: '' });
    await expect(start).rejects.toThrow(/exited at start[\s\S]*IAM_JWT_AUDIENCE must name this API/);
  });

  it('refuses an unmarked IAM_SECRET_KEYS entry beside IAM_SECRET_KEY: a staged key must not seal at once', async () => {
    const key = () => randomBytes(32).toString('base64');
    const start = spawnIamAdmin({
      DATABASE_URL: await testFileDatabaseUrl(),
      IAM_SECRET_KEY: key(),
      IAM_SECRET_KEYS: `k2:${key()}`,
    });
    // Before the fix this started (sealing with k2): stop it so the test fails without leaking it.
    const outcome = await start.then(
      async (started) => {
        await started.stop();
        return 'started';
      },
      (error: Error) => error.message,
    );
    expect(outcome).toMatch(
      /exited at start[\s\S]*IAM_SECRET_KEY and IAM_SECRET_KEYS are both set: mark the key that seals new secrets with \*/,
    );
  });
});

describe('revocation and disable take effect at once on the SCIM gateway', () => {
  let s: ScimStack;
  let gatewayTokens: ScimTokenVerifier;
  const probe = (stack: { scim: ScimStack['scim'] }) =>
    stack.scim('GET', '/Users?count=0').then((r) => r.status);
  const anotherTenant = async () =>
    withTenant(s.iam, s.gateway, s.platformToken, await createTenant(s.iam, s.platformToken));

  beforeAll(async () => {
    // A long cache: anything that still answers 200 after a revocation would do so for a minute.
    s = await startScimStack({ gatewayEnv: { SCIM_TOKEN_CACHE_TTL_MS: '60000' } });
    gatewayTokens = s.gateway.app.get(ScimTokenVerifier);
    await eventually(() => gatewayTokens['listening']);
  });
  afterAll(() => s?.close());
  afterEach(() => jest.restoreAllMocks());

  it('does not cache a lookup that raced a revocation', async () => {
    const t = await anotherTenant();
    const dataSource = s.gateway.app.get(DataSource);
    const query = dataSource.query.bind(dataSource);
    let reachedLookup!: () => void;
    const atLookup = new Promise<void>((r) => (reachedLookup = r));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let held = false;
    jest.spyOn(dataSource, 'query').mockImplementation(async (sql: string, parameters?: any) => {
      const rows = await query(sql, parameters);
      if (held || !sql.includes('FROM scim_tokens t')) return rows;
      held = true; // this lookup read the token before the revocation…
      reachedLookup();
      await gate; // …and finishes after its announcement
      return rows;
    });
    const racing = probe(t);
    await atLookup;
    const epoch = gatewayTokens['epoch'];
    const revoked = await http(s.iam.url, 'DELETE', `/v1/scim/${t.scimTokenId}`, {
      token: s.platformToken,
      tenantId: t.tenantId,
    });
    expect(revoked.status).toBe(204);
    await eventually(() => gatewayTokens['epoch'] > epoch);
    release();
    expect(await racing).toBe(200); // it began before the revocation
    expect(await probe(t)).toBe(401);
  });

  it('announces a disabled tenant: its SCIM tokens stop at once', async () => {
    const t = await anotherTenant();
    expect(await probe(t)).toBe(200);
    const disabled = await http(s.iam.url, 'PATCH', `/v1/tenants/${t.tenantId}`, {
      token: s.platformToken,
      body: { enabled: false },
    });
    expect(disabled.status).toBe(200);
    await eventually(async () => (await probe(t)) === 401, 3000);
  });

  it("announces a disabled identity provider: that provider's SCIM tokens stop at once", async () => {
    const t = await anotherTenant();
    expect(await probe(t)).toBe(200);
    const disabled = await http(s.iam.url, 'PATCH', `/v1/sso/azuread/${t.provider}`, {
      token: s.platformToken,
      tenantId: t.tenantId,
      body: { enabled: false },
    });
    expect(disabled.status).toBe(200);
    await eventually(async () => (await probe(t)) === 401, 3000);
    await http(s.iam.url, 'PATCH', `/v1/sso/azuread/${t.provider}`, {
      token: s.platformToken,
      tenantId: t.tenantId,
      body: { enabled: true },
    });
    expect(await probe(t)).toBe(200);
  });

  it('keeps a revoke 2xx when the announcement fails or hangs, logs it, and retries', async () => {
    const redis = s.iam.app.get<Redis>(REDIS_CLIENT);
    const publish = jest.spyOn(redis, 'publish');
    const failing = await anotherTenant();
    expect(await probe(failing)).toBe(200);
    publish.mockRejectedValueOnce(new Error('Redis is away'));
    const revoked = await http(s.iam.url, 'DELETE', `/v1/scim/${failing.scimTokenId}`, {
      token: s.platformToken,
      tenantId: failing.tenantId,
    });
    expect(revoked.status).toBe(204);
    expect(s.iam.logs.text).toContain('could not announce the end of SCIM access');
    await eventually(async () => (await probe(failing)) === 401, 5000); // the retry got through

    const hanging = await anotherTenant();
    publish.mockImplementationOnce(() => new Promise<number>(() => undefined));
    const started = Date.now();
    const answered = await http(s.iam.url, 'DELETE', `/v1/scim/${hanging.scimTokenId}`, {
      token: s.platformToken,
      tenantId: hanging.tenantId,
    });
    expect(answered.status).toBe(204);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('answers 401 for a revoked token while the gateway cannot hear announcements (Redis away)', async () => {
    const proxy = await tcpProxy(new URL(s.iam.env.REDIS_URL));
    const gateway = await startScimGateway({
      QUEUE_PREFIX: s.iam.env.QUEUE_PREFIX,
      REDIS_URL: proxy.url,
      SCIM_TOKEN_CACHE_TTL_MS: '60000',
    });
    try {
      const tokens = gateway.app.get(ScimTokenVerifier);
      await eventually(() => tokens['listening']);
      const t = await withTenant(s.iam, gateway, s.platformToken, await createTenant(s.iam, s.platformToken));
      expect(await probe(t)).toBe(200);
      proxy.cut();
      await eventually(() => !tokens['listening']);
      const revoked = await http(s.iam.url, 'DELETE', `/v1/scim/${t.scimTokenId}`, {
        token: s.platformToken,
        tenantId: t.tenantId,
      });
      expect(revoked.status).toBe(204); // announced, but this gateway cannot hear it
      expect(await probe(t)).toBe(401);
      proxy.restore();
      await eventually(() => tokens['listening'], 15_000);
      expect(await probe(t)).toBe(401);
    } finally {
      await gateway.close();
      await proxy.close();
    }
  });
});

/** A TCP proxy to Redis that a test can cut (every connection dropped, new ones refused) and restore. */
async function tcpProxy(target: URL) {
  const sockets = new Set<Socket>();
  let open = true;
  const server = createServer((client) => {
    if (!open) return client.destroy();
    const upstream = connect(Number(target.port || 6379), target.hostname);
    client.pipe(upstream).pipe(client);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        sockets.delete(socket);
        (socket === client ? upstream : client).destroy();
      });
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    url: `redis://127.0.0.1:${port}${target.pathname}`,
    cut: () => {
      open = false;
      for (const socket of sockets) socket.destroy();
    },
    restore: () => {
      open = true;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('secrets at rest: key rotation and re-encryption', () => {
  const run = promisify(execFile);
  const reencrypt = (env: Record<string, string>) =>
    run('npm', ['run', '--silent', 'secrets:reencrypt'], { env: { PATH: process.env.PATH!, ...env } });

  it('re-encrypts every sealed secret with the new key, idempotently; a secret copied to another row does not open', async () => {
    // A database of its own, so the counts below are this test's secrets only.
    const scratch = await createScratchDatabase();
    const iam = await startIamAdmin({ DATABASE_URL: scratch.url });
    const db = iam.app.get(DataSource);
    const oldKey = iam.env.IAM_SECRET_KEY!;
    const newKey = randomBytes(32).toString('base64');
    const platform = await issueAdminToken(iam, PLATFORM_PERMISSIONS);
    const tenantId = await createTenant(iam, platform);
    const providerIds: string[] = [];
    for (const [scheme, secret] of [
      ['rot-a', 'secret-a'],
      ['rot-b', 'secret-b'],
    ]) {
      const body = {
        scheme,
        displayName: scheme,
        type: 'oidc',
        properties: { clientId: 'c', clientSecret: secret, authority: 'https://login.example.com/t/v2.0' },
      };
      const created = await http(iam.url, 'POST', '/v1/sso/azuread', { token: platform, tenantId, body });
      expect(created.status).toBe(201);
      providerIds.push(created.body.id);
    }
    // A webhook secret sealed as IAM seals it, beside the providers' and the token-signing key.
    const webhookId = randomUUID();
    const oldCipher = new SecretCipher(secretKeyRing({ IAM_SECRET_KEY: oldKey }));
    await db.query(
      `INSERT INTO webhook_subscriptions (id, tenant_id, url, secret_ciphertext) VALUES ($1, $2, 'https://hooks.example.com/x', $3)`,
      [webhookId, tenantId, oldCipher.encrypt('whsec_x', SEALED_COLUMNS.webhookSigningSecret, webhookId)],
    );
    const env = { DATABASE_URL: iam.env.DATABASE_URL, NODE_ENV: 'test' };
    await iam.close();
    const probe = await new DataSource({ type: 'postgres', url: env.DATABASE_URL }).initialize();
    try {
      const first = await reencrypt({ ...env, IAM_SECRET_KEY: oldKey, IAM_SECRET_KEYS: `*k2:${newKey}` });
      expect(first.stdout).toMatch(/identity_providers\.client_secret_ciphertext: 2 re-encrypted/);
      expect(first.stdout).toMatch(/webhook_subscriptions\.secret_ciphertext: 1 re-encrypted/);
      expect(first.stdout).toMatch(/signing_keys\.private_key_ciphertext: 1 re-encrypted/);
      const sealed: Array<{ v: string }> = await probe.query(
        `SELECT client_secret_ciphertext AS v FROM identity_providers WHERE tenant_id = $1
         UNION ALL SELECT secret_ciphertext FROM webhook_subscriptions UNION ALL SELECT private_key_ciphertext FROM signing_keys`,
        [tenantId],
      );
      expect(sealed.every(({ v }) => v.startsWith('v2:k2:'))).toBe(true);

      const second = await reencrypt({ ...env, IAM_SECRET_KEY: oldKey, IAM_SECRET_KEYS: `*k2:${newKey}` });
      expect(second.stdout).toMatch(
        /identity_providers\.client_secret_ciphertext: 0 re-encrypted, 2 already/,
      );

      // The old key is gone from the configuration: everything still opens.
      const newCipher = new SecretCipher(secretKeyRing({ IAM_SECRET_KEYS: `k2:${newKey}` }));
      const [a] = await probe.query(
        `SELECT client_secret_ciphertext AS v FROM identity_providers WHERE id = $1`,
        [providerIds[0]],
      );
      expect(newCipher.decrypt(a.v, SEALED_COLUMNS.identityProviderClientSecret, providerIds[0]!)).toBe(
        'secret-a',
      );
      const restarted = await spawnIamAdmin({
        DATABASE_URL: env.DATABASE_URL,
        REDIS_URL: iam.env.REDIS_URL!,
        QUEUE_PREFIX: iam.env.QUEUE_PREFIX!,
        IAM_SECRET_KEYS: `k2:${newKey}`,
      });
      await restarted.stop();
      // A configuration without the key the signing key is sealed with names both variables.
      const wrongKey = spawnIamAdmin({
        DATABASE_URL: env.DATABASE_URL,
        REDIS_URL: iam.env.REDIS_URL!,
        QUEUE_PREFIX: iam.env.QUEUE_PREFIX!,
        IAM_SECRET_KEYS: `k9:${randomBytes(32).toString('base64')}`,
      });
      await expect(wrongKey).rejects.toThrow(
        'IAM_SECRET_KEY or IAM_SECRET_KEYS cannot open the stored signing key',
      );

      // Provider A's ciphertext copied over provider B's: it does not open there.
      await probe.query(`UPDATE identity_providers SET client_secret_ciphertext = $1 WHERE id = $2`, [
        a.v,
        providerIds[1],
      ]);
      expect(() =>
        newCipher.decrypt(a.v, SEALED_COLUMNS.identityProviderClientSecret, providerIds[1]!),
      ).toThrow('copied from another row');
      const moved = reencrypt({
        ...env,
        IAM_SECRET_KEYS: `k2:${newKey},*k3:${randomBytes(32).toString('base64')}`,
      });
      await expect(moved).rejects.toMatchObject({
        code: 1,
        stderr: expect.stringContaining(
          `identity_providers.client_secret_ciphertext of row ${providerIds[1]} does not open`,
        ),
      });
    } finally {
      await probe.destroy();
      await scratch.drop();
    }
  });
});
