import { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, Server } from 'node:http';
import path from 'node:path';
import Redis from 'ioredis';
import { SubjectEvent } from '@app/contracts';
import { SubjectEventConsumer } from '@app/events';
import {
  createTenant,
  eventually,
  freePort,
  http,
  ScimStack,
  startScimStack,
  withTenant,
} from '@test/support';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

interface RedisServer {
  startRedis(options: { port: number }): Promise<ChildProcess>;
}
// The repository's one way of starting redis-server; without a data directory it keeps nothing.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const redisServer = require(path.join(__dirname, '../../scripts/redis-server.js')) as RedisServer;

/** A redis-server of this file's own (no RDB, no AOF), so it can be flushed and restarted empty. */
async function ownRedis() {
  const port = await freePort();
  let server = await redisServer.startRedis({ port });
  const stop = async () => {
    const exited = new Promise((r) => server.once('exit', r));
    server.kill('SIGKILL');
    await exited;
  };
  return {
    url: `redis://127.0.0.1:${port}/0`,
    stop,
    /** Like a crash and restart without persistence: every stream, group and queue is gone. */
    restart: async () => {
      await stop();
      server = await redisServer.startRedis({ port });
    },
  };
}

/** A subscriber on loopback: `answer` decides each delivery's status; every request is recorded. */
async function receiver(answer: (event: SubjectEvent) => number | 'hang' = () => 200) {
  const delivered = new Map<string, { event: SubjectEvent; at: number }>();
  const attempts: SubjectEvent[] = [];
  const hanging = { now: 0, most: 0 };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const event = JSON.parse(body) as SubjectEvent;
      attempts.push(event);
      const status = answer(event);
      if (status === 'hang') {
        // A black hole: never answers; counts the requests it holds at once.
        hanging.most = Math.max(hanging.most, ++hanging.now);
        res.once('close', () => hanging.now--);
        return;
      }
      if (status < 300 && !delivered.has(event.id)) delivered.set(event.id, { event, at: Date.now() });
      res.statusCode = status;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`,
    delivered,
    attempts,
    hanging,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

describe('events and webhooks when Redis loses its state, and tenants sharing the webhook worker', () => {
  let redis: Awaited<ReturnType<typeof ownRedis>>;
  let s: ScimStack;

  beforeAll(async () => {
    redis = await ownRedis();
    s = await startScimStack({
      iamEnv: {
        REDIS_URL: redis.url,
        EVENTS_ACKNOWLEDGED_CHECK_MS: '200',
        WEBHOOK_BACKOFF_MS: '100',
        WEBHOOK_ATTEMPTS: '30',
        WEBHOOK_TIMEOUT_MS: '3000',
      },
      gatewayEnv: { REDIS_URL: redis.url },
    });
  }, 60_000);
  afterAll(async () => {
    await s?.close();
    await redis?.stop();
  });

  const newUser = async (stack: ScimStack = s): Promise<string> => {
    const res = await stack.scim('POST', '/Users', {
      schemas: [USER],
      userName: `rel-${randomUUID()}@contoso.com`,
    });
    expect(res.status).toBe(201);
    return res.body.id;
  };

  it.each([
    [
      'FLUSHALL',
      async () => {
        const client = new Redis(redis.url);
        await client.flushall();
        client.disconnect();
      },
    ],
    ['a restart without persistence', () => redis.restart()],
  ])(
    'after %s, the stream and groups come back and every event not yet acknowledged or delivered arrives',
    async (_, lose) => {
      // A consumer that has handled the first event and is failing on the next ones (they stay
      // pending), and a webhook receiver failing them too (their deliveries are being retried).
      let healthy = false;
      const seen = new Set<string>();
      const consumer = new SubjectEventConsumer({
        redis: redis.url,
        queuePrefix: s.iam.env.QUEUE_PREFIX,
        group: `billing-${randomUUID().slice(0, 8)}`,
        blockMs: 100,
        handle: async (event) => {
          if (event.tenantId !== s.tenantId) return;
          if (seen.size > 0 && !healthy) throw new Error('billing is down');
          seen.add(event.subjectId!);
        },
      });
      const hook = await receiver(() => (healthy ? 200 : 500));
      const subscribed = await http(s.iam.url, 'POST', '/v1/webhooks', {
        token: s.platformToken,
        tenantId: s.tenantId,
        body: { url: hook.url, eventTypes: ['subject.created'] },
      });
      expect(subscribed.status).toBe(201);
      await consumer.start();
      try {
        const first = await newUser();
        await eventually(() => seen.has(first));
        const pending = [await newUser(), await newUser()];
        await eventually(() => pending.every((id) => hook.attempts.some((e) => e.subjectId === id)));
        // Long enough for the relay to record how far everyone acknowledged (every 200 ms here).
        await new Promise((r) => setTimeout(r, 600));

        await lose();
        healthy = true;
        const after = await newUser();

        const expected = [...pending, after];
        await eventually(() => expected.every((id) => seen.has(id)), 30_000);
        // The first delivery was failing too: every one of the four reaches the receiver.
        const deliveredTo = () => [...hook.delivered.values()].map((d) => d.event.subjectId);
        await eventually(() => [first, ...expected].every((id) => deliveredTo().includes(id)), 30_000);
        expect(s.iam.logs.text).toContain('republishing what consumers had not acknowledged');
      } finally {
        await consumer.stop();
        await http(s.iam.url, 'DELETE', `/v1/webhooks/${subscribed.body.id}`, {
          token: s.platformToken,
          tenantId: s.tenantId,
        });
        await hook.close();
      }
    },
    90_000,
  );

  it('a tenant whose webhook hangs does not delay another tenant’s deliveries', async () => {
    const blackHole = await receiver(() => 'hang');
    const healthy = await receiver();
    const tenantB = await withTenant(
      s.iam,
      s.gateway,
      s.platformToken,
      await createTenant(s.iam, s.platformToken, 'Tenant B'),
    );
    const subscribe = (stack: ScimStack, url: string) =>
      http(stack.iam.url, 'POST', '/v1/webhooks', {
        token: stack.platformToken,
        tenantId: stack.tenantId,
        body: { url, eventTypes: ['subject.created'] },
      });
    try {
      expect((await subscribe(s, blackHole.url)).status).toBe(201);
      expect((await subscribe(tenantB, healthy.url)).status).toBe(201);
      // Tenant A's backlog: 40 deliveries to a receiver that never answers (3 s timeout each).
      await Promise.all(Array.from({ length: 40 }, () => newUser()));
      await eventually(() => blackHole.attempts.length >= 1);

      const latencies: number[] = [];
      for (let i = 0; i < 5; i++) {
        const id = await newUser(tenantB);
        await eventually(() => [...healthy.delivered.values()].some((d) => d.event.subjectId === id), 15_000);
        const { event, at } = [...healthy.delivered.values()].find((d) => d.event.subjectId === id)!;
        latencies.push(at - Date.parse(event.occurredAt));
      }
      // Before per-tenant limits, tenant B waited behind tenant A's hanging deliveries: ≥ 3 s.
      expect(Math.max(...latencies)).toBeLessThan(1000);
      // Tenant A never had more than its share (WEBHOOK_TENANT_CONCURRENCY, 4) in flight at once.
      expect(blackHole.hanging.most).toBeLessThanOrEqual(4);
    } finally {
      await blackHole.close();
      await healthy.close();
    }
  }, 60_000);
});
