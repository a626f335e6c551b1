import { RunningApp, startIamAdmin, startScimGateway, http } from '@test/support';

describe('health endpoints (both services, real PostgreSQL and Redis)', () => {
  let iam: RunningApp;
  let gateway: RunningApp;

  beforeAll(async () => {
    iam = await startIamAdmin();
    gateway = await startScimGateway({ QUEUE_PREFIX: iam.env.QUEUE_PREFIX });
  });
  afterAll(async () => {
    await gateway?.close();
    await iam?.close();
  });

  it.each([
    ['iam-admin', () => iam],
    ['scim-gateway', () => gateway],
  ])('%s is live and ready', async (_name, app) => {
    const live = await http(app().url, 'GET', '/health/live');
    expect(live.status).toBe(200);
    expect(live.body).toEqual({ status: 'ok' });
    const ready = await http(app().url, 'GET', '/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ok', checks: { database: 'ok', redis: 'ok' } });
  });

  it('reports not ready, naming Redis, when Redis is unreachable', async () => {
    const broken = await startScimGateway({ REDIS_URL: 'redis://127.0.0.1:1/0' });
    try {
      const ready = await http(broken.url, 'GET', '/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.body.checks.database).toBe('ok');
      expect(ready.body.checks.redis).not.toBe('ok');
    } finally {
      await broken.close();
    }
  });
});
