import { randomUUID } from 'node:crypto';
import { createServer, Server } from 'node:http';
import { DataSource } from 'typeorm';
import { eventually, http, ScimStack, startScimStack } from '@test/support';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

/** A subscriber on loopback answering each request with the next of `statuses` (200 once they run out). */
async function receiver(
  statuses: number[],
): Promise<{ url: string; eventIds: string[]; close(): Promise<void> }> {
  const eventIds: string[] = [];
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      eventIds.push(String(req.headers['x-iam-event-id']));
      res.statusCode = statuses.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`;
  return { url, eventIds, close: () => new Promise((r) => server.close(() => r())) };
}

describe('webhook deliveries and redelivery of dead letters; provisioning dead letters resolved', () => {
  let s: ScimStack;
  let db: DataSource;
  const admin = () => ({ token: s.platformToken, tenantId: s.tenantId });
  const get = async (path: string, as = admin()) => http(s.iam.url, 'GET', path, as);
  const subscribe = async (url: string): Promise<string> => {
    const res = await http(s.iam.url, 'POST', '/v1/webhooks', {
      ...admin(),
      body: { url, eventTypes: ['subject.created'] },
    });
    expect(res.status).toBe(201);
    return res.body.id;
  };
  const newUser = async (prefix = 'hook'): Promise<{ status: number; body: Record<string, string> }> =>
    s.scim('POST', '/Users', { schemas: [USER], userName: `${prefix}-${randomUUID()}@contoso.com` });

  beforeAll(async () => {
    s = await startScimStack({
      iamEnv: {
        WEBHOOK_BACKOFF_MS: '50',
        WEBHOOK_ATTEMPTS: '2',
        WEBHOOK_DELIVERY_HISTORY: '3',
        PROVISIONING_POISON_ATTEMPTS: '2',
      },
      gatewayEnv: { SCIM_COMMAND_TIMEOUT_MS: '5000' },
    });
    db = await new DataSource({ type: 'postgres', url: s.iam.env.DATABASE_URL }).initialize();
  });
  afterAll(async () => {
    await db?.query(`DROP TRIGGER IF EXISTS test_poison ON subjects`);
    await db?.destroy();
    await s?.close();
  });

  it('lists each attempt (status code or error, duration), newest first, keeping the newest WEBHOOK_DELIVERY_HISTORY', async () => {
    const hook = await receiver([503]);
    try {
      const id = await subscribe(hook.url);
      const user = await newUser();
      expect(user.status).toBe(201);
      await eventually(async () => (await get(`/v1/webhooks/${id}/deliveries`)).body.length === 2);
      const [second, first] = (await get(`/v1/webhooks/${id}/deliveries`)).body;
      expect(first).toMatchObject({ eventType: 'subject.created', attempt: 1, statusCode: 503 });
      expect(first.error).toContain('503');
      expect(second).toMatchObject({ eventId: first.eventId, attempt: 2, statusCode: 200, error: null });
      expect(second.durationMs).toEqual(expect.any(Number));
      expect(Date.parse(second.at)).not.toBeNaN();

      for (let i = 0; i < 3; i++) expect((await newUser()).status).toBe(201);
      await eventually(() => hook.eventIds.length === 5);
      await eventually(
        async () => (await get(`/v1/webhooks/${id}/deliveries`)).body[0].eventId === hook.eventIds[4],
      );
      const kept = (await get(`/v1/webhooks/${id}/deliveries`)).body as Array<{ eventId: string }>;
      expect(kept.map((d) => d.eventId)).toEqual(hook.eventIds.slice(2).reverse());
    } finally {
      await hook.close();
    }
  });

  it('redelivers a dead letter; failing again opens it again; once delivered a second redelivery is a 409', async () => {
    const hook = await receiver([500, 500, 500, 500]);
    try {
      const id = await subscribe(hook.url);
      await newUser();
      const letters = async () => (await get(`/v1/webhooks/${id}/dead-letters`)).body;
      await eventually(async () => (await letters()).length === 1);
      const [letter] = await letters();
      expect(letter).toMatchObject({ id: expect.stringMatching(/^\d+$/), attempts: 2, redeliveredAt: null });
      const redeliver = (letterId: string, as = admin()) =>
        http(s.iam.url, 'POST', `/v1/webhooks/${id}/dead-letters/${letterId}/redeliver`, as);

      // Redelivered while the receiver still fails: every attempt again, then the letter is open again.
      expect((await redeliver(letter.id)).status).toBe(202);
      await eventually(() => hook.eventIds.length === 4);
      await eventually(async () => {
        const [open] = await letters();
        return open.redeliveredAt === null && Date.parse(open.failedAt) > Date.parse(letter.failedAt);
      });

      expect((await redeliver(letter.id)).status).toBe(202);
      await eventually(() => hook.eventIds.length === 5);
      expect(new Set(hook.eventIds)).toEqual(new Set([letter.eventId]));
      await eventually(async () => (await get(`/v1/webhooks/${id}/deliveries`)).body[0]?.statusCode === 200);
      const [redelivered] = await letters();
      expect(redelivered.redeliveredAt).not.toBeNull();

      const again = await redeliver(letter.id);
      expect(again.status).toBe(409);
      expect(again.body.message).toContain('was redelivered at');
      expect((await redeliver('999999999')).status).toBe(404);
      expect((await redeliver('not-a-number')).status).toBe(404);
      const other = (
        await http(s.iam.url, 'POST', '/v1/tenants', {
          token: s.platformToken,
          body: { displayName: 'Other' },
        })
      ).body.id;
      expect((await redeliver(letter.id, { token: s.platformToken, tenantId: other })).status).toBe(404);
      await new Promise((r) => setTimeout(r, 300));
      expect(hook.eventIds).toHaveLength(5); // the refused calls queued nothing
    } finally {
      await hook.close();
    }
  });

  it('resolves a provisioning dead letter once (who and when); a second resolve is a 409', async () => {
    await db.query(`
      CREATE OR REPLACE FUNCTION test_poison() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.user_name LIKE 'poison-%' THEN RAISE EXCEPTION 'something nobody planned for'; END IF;
        RETURN NEW;
      END $$`);
    await db.query(`DROP TRIGGER IF EXISTS test_poison ON subjects`);
    await db.query(
      `CREATE TRIGGER test_poison BEFORE INSERT ON subjects FOR EACH ROW EXECUTE FUNCTION test_poison()`,
    );
    expect((await newUser('poison')).status).toBe(500);
    const [letter] = (await get('/v1/provisioning/dead-letters')).body.items;
    expect(letter).toMatchObject({ resolvedAt: null, resolvedBy: null });
    const resolve = (letterId: string, as = admin()) =>
      http(s.iam.url, 'POST', `/v1/provisioning/dead-letters/${letterId}/resolve`, as);

    const resolved = await resolve(letter.id);
    expect(resolved.status).toBe(200);
    expect(resolved.body).toMatchObject({
      id: letter.id,
      resolvedBy: expect.stringMatching(/^admin-token:/),
    });
    expect((await get('/v1/provisioning/dead-letters')).body.items[0].resolvedAt).toBe(
      resolved.body.resolvedAt,
    );
    const again = await resolve(letter.id);
    expect(again.status).toBe(409);
    expect(again.body.message).toContain('was resolved at');
    expect((await resolve(randomUUID())).status).toBe(404);
    expect((await resolve('nope')).status).toBe(404);
  });
});
