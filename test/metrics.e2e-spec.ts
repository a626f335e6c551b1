import { eventually, http, RunningApp, ScimStack, startIamAdmin, startScimStack } from '@test/support';

const METRICS_TOKEN = 'metrics-test-token-0123456789';

/** The value of one series (`name{labels}`) in Prometheus text, or undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([key, value]) => present[key] === value)) return Number(match[3]);
  }
  return undefined;
}

async function scrape(app: RunningApp): Promise<string> {
  const response = await http(app.url, 'GET', '/metrics', { token: METRICS_TOKEN });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  return response.text;
}

describe('Prometheus metrics on both services (real PostgreSQL, Redis, SCIM through the gateway)', () => {
  let stack: ScimStack;
  const userName = 'metrics.person@contoso.example';

  beforeAll(async () => {
    stack = await startScimStack({
      iamEnv: { METRICS_TOKEN },
      gatewayEnv: { METRICS_TOKEN },
    });
    const user = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName, active: true };
    expect((await stack.scim('POST', '/Users', user)).status).toBe(201);
    expect((await stack.scim('POST', '/Users', user)).status).toBe(409);
  });
  afterAll(() => stack?.close());

  it.each([
    ['iam-admin', () => stack.iam],
    ['scim-gateway', () => stack.gateway],
  ])('%s refuses /metrics without the token (401) or with a wrong one', async (_name, app) => {
    const none = await http(app().url, 'GET', '/metrics');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toContain('Bearer');
    expect(none.text).not.toContain('http_request_duration_seconds');
    const wrong = await http(app().url, 'GET', '/metrics', { token: `${METRICS_TOKEN}x` });
    expect(wrong.status).toBe(401);
  });

  it('answers 404 at /metrics when METRICS_TOKEN is unset (off by default)', async () => {
    const iam = await startIamAdmin();
    try {
      expect((await http(iam.url, 'GET', '/metrics')).status).toBe(404);
      expect((await http(iam.url, 'GET', '/metrics', { token: METRICS_TOKEN })).status).toBe(404);
    } finally {
      await iam.close();
    }
  });

  it('the gateway counts SCIM operations and HTTP requests by route template, refusals by scimType', async () => {
    const text = await scrape(stack.gateway);
    const labels = { resource_type: 'Users', operation: 'create' };
    expect(sample(text, 'scim_operations_total', { ...labels, outcome: 'success' })).toBe(1);
    expect(sample(text, 'scim_operations_total', { ...labels, outcome: 'uniqueness' })).toBe(1);
    const route = '/:tenantId/api/scim/v2/Users';
    expect(
      sample(text, 'http_request_duration_seconds_count', { method: 'POST', route, status_code: '201' }),
    ).toBe(1);
    expect(
      sample(text, 'http_request_duration_seconds_count', { method: 'POST', route, status_code: '409' }),
    ).toBe(1);
    expect(sample(text, 'scim_token_cache_lookups_total', { result: 'miss' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'scim_token_cache_lookups_total', { result: 'hit' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'db_pool_connections', { state: 'total' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('IAM shows command wait and processing times, queue depth, outbox lag and relay rate', async () => {
    // The relay publishes the creates' events within its poll interval.
    await eventually(async () => (sample(await scrape(stack.iam), 'outbox_events_relayed_total') ?? 0) >= 1);
    const text = await scrape(stack.iam);
    // Both creates were applied by the worker (the second as a uniqueness refusal, still a completed job).
    expect(sample(text, 'provisioning_command_wait_seconds_count', { result: 'completed' })).toBe(2);
    expect(sample(text, 'provisioning_command_processing_seconds_count', { result: 'completed' })).toBe(2);
    for (const state of ['waiting', 'active', 'delayed', 'failed']) {
      expect(sample(text, 'queue_jobs', { queue: 'provisioning-commands', state })).toBe(0);
      expect(sample(text, 'queue_jobs', { queue: 'webhook-deliveries', state })).toBeDefined();
    }
    expect(sample(text, 'outbox_oldest_unpublished_age_seconds')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'db_pool_connections', { state: 'idle' })).toBeDefined();
    expect(
      sample(text, 'http_request_duration_seconds_count', {
        method: 'POST',
        route: '/v1/scim',
        status_code: '201',
      }),
    ).toBe(1);
  });

  it('no tenant id, user name or token appears in either /metrics text', async () => {
    for (const app of [stack.iam, stack.gateway]) {
      const text = await scrape(app);
      expect(text).not.toContain(stack.tenantId);
      expect(text).not.toContain(userName);
      expect(text).not.toContain(stack.scimToken);
      expect(text).not.toContain(METRICS_TOKEN);
    }
  });
});
