import { createHmac, randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, Server } from 'node:http';
import { eventually, http, ScimStack, startScimStack } from '@test/support';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

/** A subscriber on loopback that answers with the statuses it is told to, then 200. */
async function receiver(
  statuses: number[] = [],
): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.statusCode = statuses.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`;
  return { url, received, close: () => new Promise((r) => server.close(() => r())) };
}

function verify(secret: string, { headers, body }: Received): boolean {
  const [t, v1] = String(headers['x-iam-signature'])
    .split(',')
    .map((p) => p.split('=')[1]);
  return createHmac('sha256', secret).update(`${t}.${body}`).digest('hex') === v1;
}

describe('signed webhooks for subject-change events', () => {
  let s: ScimStack;
  const admin = () => ({ token: s.platformToken, tenantId: s.tenantId });
  const subscribe = async (url: string, eventTypes?: string[]) => {
    const res = await http(s.iam.url, 'POST', '/v1/webhooks', { ...admin(), body: { url, eventTypes } });
    expect(res.status).toBe(201);
    return res.body as { id: string; secret: string };
  };
  const newUser = () =>
    s.scim('POST', '/Users', { schemas: [USER], userName: `hook-${randomUUID()}@contoso.com` });

  beforeAll(async () => {
    s = await startScimStack({ iamEnv: { WEBHOOK_BACKOFF_MS: '50', WEBHOOK_ATTEMPTS: '3' } });
  });
  afterAll(() => s?.close());

  it('delivers each event signed with HMAC-SHA256 over timestamp and body; the secret is shown once', async () => {
    const hook = await receiver();
    try {
      const { id, secret } = await subscribe(hook.url);
      expect(secret).toMatch(/^whsec_/);
      const list = await http(s.iam.url, 'GET', '/v1/webhooks', admin());
      expect(list.body).toContainEqual(expect.objectContaining({ id, url: hook.url }));
      expect(list.text).not.toContain(secret);
      const user = (await newUser()).body;
      await eventually(() => hook.received.some((r) => JSON.parse(r.body).subjectId === user.id));
      const delivery = hook.received.find((r) => JSON.parse(r.body).subjectId === user.id)!;
      expect(verify(secret, delivery)).toBe(true);
      expect(verify('whsec_wrong', delivery)).toBe(false);
      expect(delivery.headers['x-iam-event-type']).toBe('subject.created');
      expect(JSON.parse(delivery.body)).toMatchObject({
        type: 'subject.created',
        tenantId: s.tenantId,
        id: delivery.headers['x-iam-event-id'],
      });
      expect(s.iam.logs.text).not.toContain(secret);
    } finally {
      await hook.close();
    }
  });

  it('sends only the event types asked for', async () => {
    const hook = await receiver();
    try {
      await subscribe(hook.url, ['group.created']);
      await newUser();
      const group = (
        await s.scim('POST', '/Groups', {
          schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
          displayName: `Hook ${randomUUID()}`,
        })
      ).body;
      await eventually(() => hook.received.length > 0);
      await new Promise((r) => setTimeout(r, 300));
      expect(hook.received.map((r) => JSON.parse(r.body).type)).toEqual(['group.created']);
      expect(JSON.parse(hook.received[0]!.body).groupId).toBe(group.id);
    } finally {
      await hook.close();
    }
  });

  it('retries with back-off until the subscriber answers 2xx', async () => {
    const hook = await receiver([500, 503]);
    try {
      const { id } = await subscribe(hook.url, ['subject.created']);
      const user = (await newUser()).body;
      await eventually(
        () => hook.received.filter((r) => JSON.parse(r.body).subjectId === user.id).length === 3,
      );
      await new Promise((r) => setTimeout(r, 300));
      expect(hook.received.filter((r) => JSON.parse(r.body).subjectId === user.id)).toHaveLength(3);
      expect((await http(s.iam.url, 'GET', `/v1/webhooks/${id}/dead-letters`, admin())).body).toEqual([]);
    } finally {
      await hook.close();
    }
  });

  it('dead-letters a delivery that fails every attempt, visible to operators', async () => {
    const hook = await receiver([500, 500, 500, 500]);
    try {
      const { id } = await subscribe(hook.url, ['subject.created']);
      const user = (await newUser()).body;
      await eventually(
        async () =>
          (await http(s.iam.url, 'GET', `/v1/webhooks/${id}/dead-letters`, admin())).body.length > 0,
      );
      const [letter] = (await http(s.iam.url, 'GET', `/v1/webhooks/${id}/dead-letters`, admin())).body;
      expect(letter).toMatchObject({
        eventType: 'subject.created',
        attempts: 3,
        lastError: expect.stringContaining('500'),
      });
      expect(hook.received.filter((r) => JSON.parse(r.body).subjectId === user.id)).toHaveLength(3);
    } finally {
      await hook.close();
    }
  });

  it('refuses plain http to a public host and keeps tenants apart', async () => {
    const res = await http(s.iam.url, 'POST', '/v1/webhooks', {
      ...admin(),
      body: { url: 'http://hooks.example.com/x' },
    });
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('url');
    const bad = await http(s.iam.url, 'POST', '/v1/webhooks', {
      ...admin(),
      body: { url: 'https://x.example', eventTypes: ['nope'] },
    });
    expect(bad.status).toBe(400);
    const { id } = await subscribe('https://hooks.example.com/ok');
    const other = (
      await http(s.iam.url, 'POST', '/v1/tenants', { token: s.platformToken, body: { displayName: 'Other' } })
    ).body.id;
    const foreign = { token: s.platformToken, tenantId: other };
    expect((await http(s.iam.url, 'GET', `/v1/webhooks/${id}/dead-letters`, foreign)).status).toBe(404);
    expect((await http(s.iam.url, 'DELETE', `/v1/webhooks/${id}`, foreign)).status).toBe(404);
    expect((await http(s.iam.url, 'DELETE', `/v1/webhooks/${id}`, admin())).status).toBe(204);
  });
});
