import { DataSource } from 'typeorm';
import {
  createScratchDatabase,
  createTenant,
  http,
  issueAdminToken,
  PLATFORM_PERMISSIONS,
  RunningApp,
  spawnIamAdmin,
  startIamAdmin,
} from '@app/testing';

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
});
