import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { DataSource } from 'typeorm';
import { normalizeUserDocument } from '@app/scim';
import {
  eventually,
  http,
  RunningApp,
  ScimStack,
  seedProviderBody,
  startIamAdmin,
  startScimStack,
} from '@test/support';
import { commandContext } from '../apps/iam-admin/src/provisioning/command-context';
import { ProvisioningPolicyService } from '../apps/iam-admin/src/provisioning-policy/provisioning-policy.service';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const METRICS_TOKEN = 'tenant-config-cache-metrics-0123';

/** The subject ids of the events a loopback webhook receiver got. */
async function receiver(): Promise<{ url: string; subjects: string[]; close(): Promise<void> }> {
  const subjects: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      subjects.push(JSON.parse(body).subjectId);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`;
  return { url, subjects, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/**
 * Issue 13: IAM keeps each tenant's provisioning settings and webhook subscriptions in memory.
 * Through the real gateway and IAM: a change governs the very next write on the instance that made
 * it, and reaches another IAM instance's cache (PostgreSQL NOTIFY at commit).
 */
describe('tenant configuration cache (provisioning settings, webhook subscriptions)', () => {
  let s: ScimStack;
  /** A second IAM instance on the same database and queues; it dispatches no webhooks. */
  let other: RunningApp;
  const admin = (body?: unknown) => ({ token: s.platformToken, tenantId: s.tenantId, body });
  const settings = (iam: RunningApp, method: 'PUT' | 'DELETE', body?: unknown, query = '') =>
    http(iam.url, method, `/v1/provisioning/settings${query}`, admin(body));
  const newUser = () => ({ schemas: [USER], userName: `cache-${randomUUID().slice(0, 8)}@contoso.com` });
  const createUser = () => s.scim('POST', '/Users', newUser());
  /** This instance's reads of one cache so far: answered from memory (hit), or from PostgreSQL (miss), or both. */
  const lookups = async (cache: string, result: 'hit' | 'miss' | 'any'): Promise<number> => {
    const text = (await http(s.iam.url, 'GET', '/metrics', { token: METRICS_TOKEN })).text;
    const line = new RegExp(
      `^tenant_config_cache_lookups_total\\{cache="${cache}",result="(hit|miss)"\\} (\\S+)$`,
      'gm',
    );
    return [...text.matchAll(line)]
      .filter((match) => result === 'any' || match[1] === result)
      .reduce((sum, match) => sum + Number(match[2]), 0);
  };

  beforeAll(async () => {
    s = await startScimStack({ iamEnv: { METRICS_TOKEN } });
    other = await startIamAdmin({ ...s.iam.env, WEBHOOKS_ENABLED: 'false' });
  });
  afterAll(async () => {
    await other?.close();
    await s?.close();
  });

  it('a settings change governs the very next SCIM write, though the settings are read from memory', async () => {
    for (let i = 0; i < 3; i++) expect((await createUser()).status).toBe(201);
    expect(await lookups('provisioning-settings', 'hit')).toBeGreaterThan(0);

    expect((await settings(s.iam, 'PUT', { defaultRole: 'User' })).status).toBe(200);
    const refused = await createUser();
    expect(refused.status).toBe(400);
    expect(refused.body.detail).toContain('userType is required');

    expect((await settings(s.iam, 'PUT', { defaultUserType: 'Premium' })).status).toBe(200);
    expect((await createUser()).body.userType).toBe('Premium');
    expect(
      (await settings(s.iam, 'PUT', { defaultUserType: 'Standard' }, `?provider=${s.provider}`)).status,
    ).toBe(200);
    expect((await createUser()).body.userType).toBe('Standard');
    expect((await settings(s.iam, 'DELETE', undefined, `?provider=${s.provider}`)).status).toBe(204);
    expect((await createUser()).body.userType).toBe('Premium');
    expect((await settings(s.iam, 'DELETE')).status).toBe(204);
    const open = await createUser();
    expect(open.status).toBe(201);
    expect(open.body.userType).toBeUndefined();
  });

  it("deleting an identity provider drops its cached override: one re-created under its scheme follows the tenant's settings", async () => {
    const scheme = `rebuilt-${randomUUID().slice(0, 8)}`;
    const provider = async () => {
      expect((await http(s.iam.url, 'POST', '/v1/sso/azuread', admin(seedProviderBody(scheme)))).status).toBe(
        201,
      );
      const token = await http(
        s.iam.url,
        'POST',
        '/v1/scim',
        admin({ provider: scheme, providerDisplayName: scheme }),
      );
      expect(token.status).toBe(201);
      return token.body as { id: string; token: string };
    };
    const createWith = async (token: string) =>
      (
        await http(s.gateway.url, 'POST', `${s.base}/Users`, {
          token,
          body: newUser(),
          headers: { 'content-type': 'application/scim+json' },
        })
      ).body;

    expect((await settings(s.iam, 'PUT', { defaultUserType: 'Standard' })).status).toBe(200);
    const first = await provider();
    expect((await settings(s.iam, 'PUT', { defaultUserType: 'Premium' }, `?provider=${scheme}`)).status).toBe(
      200,
    );
    expect((await createWith(first.token)).userType).toBe('Premium');
    expect((await createWith(first.token)).userType).toBe('Premium');

    expect((await http(s.iam.url, 'DELETE', `/v1/scim/${first.id}`, admin())).status).toBe(204);
    expect((await http(s.iam.url, 'DELETE', `/v1/sso/azuread/${scheme}`, admin())).status).toBe(204);
    const again = await provider();
    expect((await createWith(again.token)).userType).toBe('Standard');
    expect((await settings(s.iam, 'DELETE')).status).toBe(204);
  });

  it('a webhook created while events are flowing receives the next event', async () => {
    const seen = await lookups('webhook-subscriptions', 'any');
    await createUser();
    // The dispatcher has read this tenant's subscriptions for that event (none yet), and keeps them.
    await eventually(async () => (await lookups('webhook-subscriptions', 'any')) > seen);
    const hook = await receiver();
    try {
      const created = await http(s.iam.url, 'POST', '/v1/webhooks', admin({ url: hook.url }));
      expect(created.status).toBe(201);
      const user = (await createUser()).body;
      await eventually(() => hook.subjects.includes(user.id));
    } finally {
      await hook.close();
    }
  });

  it("another instance's settings change reaches this instance's cached policy", async () => {
    const policy = s.iam.app.get(ProvisioningPolicyService);
    const em = s.iam.app.get(DataSource).manager;
    const userTypeHere = async () =>
      (
        await policy.apply(
          em,
          { tenantId: s.tenantId, provider: s.provider },
          normalizeUserDocument({ schemas: [USER], userName: 'probe@contoso.com' }),
          commandContext('scim'),
        )
      ).document.userType;

    expect((await settings(s.iam, 'PUT', { defaultUserType: 'Standard' })).status).toBe(200);
    const hits = await lookups('provisioning-settings', 'hit');
    expect(await userTypeHere()).toBe('Standard');
    expect(await userTypeHere()).toBe('Standard');
    expect(await lookups('provisioning-settings', 'hit')).toBeGreaterThan(hits);

    expect((await settings(other, 'PUT', { defaultUserType: 'Premium' })).status).toBe(200);
    await eventually(async () => (await userTypeHere()) === 'Premium', 5_000);
    expect((await settings(other, 'DELETE')).status).toBe(204);
    await eventually(async () => (await userTypeHere()) === undefined, 5_000);
  });

  it("a webhook created on another instance is dispatched by this one's cache from then on", async () => {
    const [here, there] = [await receiver(), await receiver()];
    try {
      expect((await http(s.iam.url, 'POST', '/v1/webhooks', admin({ url: here.url }))).status).toBe(201);
      const warm = (await createUser()).body;
      await eventually(() => here.subjects.includes(warm.id));

      expect((await http(other.url, 'POST', '/v1/webhooks', admin({ url: there.url }))).status).toBe(201);
      await eventually(async () => {
        const user = (await createUser()).body;
        await eventually(() => here.subjects.includes(user.id));
        return there.subjects.includes(user.id);
      }, 5_000);
      const next = (await createUser()).body;
      await eventually(() => here.subjects.includes(next.id) && there.subjects.includes(next.id));
    } finally {
      await here.close();
      await there.close();
    }
  });
});
