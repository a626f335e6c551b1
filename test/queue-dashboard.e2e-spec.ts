import {
  createTenant,
  http,
  issueAdminToken,
  PLATFORM_PERMISSIONS,
  RunningApp,
  startIamAdmin,
} from '@test/support';

/** Opens a dashboard session and returns the cookie pair to send back (`name=value`). */
async function openSession(iam: RunningApp, token: string): Promise<string> {
  const opened = await http(iam.url, 'POST', '/v1/queue-dashboard/session', { token });
  expect(opened.status).toBe(201);
  expect(opened.body.path).toBe('/queues');
  const cookie = opened.headers.get('set-cookie') ?? '';
  expect(cookie).toMatch(/; Path=\/queues; Max-Age=900; HttpOnly; SameSite=Strict$/);
  return cookie.split(';')[0];
}

describe('queue dashboard (bull-board at /queues behind a platform-admin session)', () => {
  let iam: RunningApp;
  let platformToken: string;
  let cookie: string;

  beforeAll(async () => {
    iam = await startIamAdmin();
    platformToken = await issueAdminToken(iam, PLATFORM_PERMISSIONS);
    cookie = await openSession(iam, platformToken);
  });
  afterAll(() => iam?.close());

  it.each(['/queues', '/queues/api/queues', '/queues/static/favicon-32x32.png'])(
    'answers 401 at %s without a session, or with an unknown cookie or a bearer header',
    async (path) => {
      expect((await http(iam.url, 'GET', path)).status).toBe(401);
      const forged = await http(iam.url, 'GET', path, { headers: { cookie: 'iam_queue_dashboard=forged' } });
      expect(forged.status).toBe(401);
      expect((await http(iam.url, 'GET', path, { token: platformToken })).status).toBe(401);
    },
  );

  it('refuses to open a session without a token (401) or with a tenant-bound one (403)', async () => {
    expect((await http(iam.url, 'POST', '/v1/queue-dashboard/session')).status).toBe(401);
    const tenantId = await createTenant(iam, platformToken, 'Dashboard tenant');
    const tenantToken = await issueAdminToken(iam, PLATFORM_PERMISSIONS, tenantId);
    const refused = await http(iam.url, 'POST', '/v1/queue-dashboard/session', { token: tenantToken });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('set-cookie')).toBeNull();
  });

  it('serves the dashboard page and its API lists the provisioning and webhook queues, read-only', async () => {
    const page = await http(iam.url, 'GET', '/queues', { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.text).toContain('<base href="/queues/" />');
    expect(page.text).toContain('<title>Bull Dashboard</title>');
    const asset = await http(iam.url, 'GET', '/queues/static/favicon-32x32.png', { headers: { cookie } });
    expect(asset.status).toBe(200);
    const api = await http(iam.url, 'GET', '/queues/api/queues', { headers: { cookie } });
    expect(api.status).toBe(200);
    const queues = api.body.queues as Array<{ name: string; readOnlyMode: boolean }>;
    expect(queues.map((q) => q.name).sort()).toEqual(['provisioning-commands', 'webhook-deliveries']);
    expect(queues.every((q) => q.readOnlyMode)).toBe(true);
  });

  it('refuses retry and clean actions while read-only (405)', async () => {
    for (const path of [
      '/queues/api/queues/provisioning-commands/retry/failed',
      '/queues/api/queues/webhook-deliveries/clean/failed',
    ]) {
      const refused = await http(iam.url, 'PUT', path, { headers: { cookie } });
      expect(refused.status).toBe(405);
    }
  });

  it('allows them with QUEUE_DASHBOARD_READ_ONLY=false', async () => {
    const writable = await startIamAdmin({ QUEUE_DASHBOARD_READ_ONLY: 'false' });
    try {
      const token = await issueAdminToken(writable, PLATFORM_PERMISSIONS);
      const writableCookie = await openSession(writable, token);
      const clean = await http(writable.url, 'PUT', '/queues/api/queues/webhook-deliveries/clean/failed', {
        headers: { cookie: writableCookie },
      });
      expect(clean.status).toBe(200);
    } finally {
      await writable.close();
    }
  });
});
