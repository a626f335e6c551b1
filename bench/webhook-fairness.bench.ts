// `npm run bench:webhook-fairness`: tenant B's webhook delivery latency while tenant A's receiver hangs.
// IAM runs as a real process; events are committed straight into the outbox (what a SCIM write commits),
// A's receiver never answers (each delivery holds its slot for WEBHOOK_TIMEOUT_MS), B's answers at once.
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { createServer, Server } from 'node:http';
import { Client } from 'pg';
import { spawnService } from '@test/support';

const DATABASE = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/iam_bench_webhooks';
const A_EVENTS = Number(process.env.BENCH_BLACK_HOLE_EVENTS ?? 200);
const B_EVENTS = Number(process.env.BENCH_HEALTHY_EVENTS ?? 50);

async function listen(handler: (res: import('node:http').ServerResponse, body: string) => void) {
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => handler(res, body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}/hook` };
}

async function main(): Promise<void> {
  const name = new URL(DATABASE).pathname.slice(1);
  const admin = new Client({
    connectionString: Object.assign(new URL(DATABASE), { pathname: '/postgres' }).toString(),
  });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();

  const adminToken = `iamadm_${randomBytes(32).toString('base64url')}`;
  const iam = await spawnService('iam-admin', {
    NODE_ENV: 'development', // receivers on loopback
    OUTBOUND_ALLOW_LOOPBACK: 'true',
    DATABASE_URL: DATABASE,
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: `bench-${randomBytes(4).toString('hex')}`,
    IAM_SECRET_KEY: randomBytes(32).toString('base64'),
    IAM_BOOTSTRAP_ADMIN_TOKEN: adminToken,
    WEBHOOK_TIMEOUT_MS: process.env.WEBHOOK_TIMEOUT_MS ?? '5000',
    ...(process.env.WEBHOOK_TENANT_CONCURRENCY
      ? { WEBHOOK_TENANT_CONCURRENCY: process.env.WEBHOOK_TENANT_CONCURRENCY }
      : {}),
  });
  const db = new Client({ connectionString: DATABASE });
  await db.connect();
  const blackHole = await listen(() => undefined);
  const latencies: number[] = [];
  const healthy = await listen((res, body) => {
    latencies.push(Date.now() - Date.parse(JSON.parse(body).occurredAt));
    res.end();
  });
  try {
    const call = async (path: string, body: unknown, tenantId?: string) => {
      const res = await fetch(`${iam.url}${path}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${adminToken}`,
          'content-type': 'application/json',
          ...(tenantId ? { 'x-tenant-id': tenantId } : {}),
        },
        body: JSON.stringify(body),
      });
      if (!res.ok) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as { id: string };
    };
    const tenantA = (await call('/v1/tenants', { displayName: 'A (black hole)' })).id;
    const tenantB = (await call('/v1/tenants', { displayName: 'B' })).id;
    await call('/v1/webhooks', { url: blackHole.url }, tenantA);
    await call('/v1/webhooks', { url: healthy.url }, tenantB);
    const commit = (tenantId: string, count: number) =>
      db.query(
        `INSERT INTO subject_events (tenant_id, aggregate_id, sequence, event)
         SELECT $1::uuid, gen_random_uuid(), 1, jsonb_build_object('specVersion', 1, 'type', 'subject.updated',
                'tenantId', $1::text, 'source', 'scim', 'state', jsonb_build_object('userName', 'bench-' || g))
           FROM generate_series(1, $2) g`,
        [tenantId, count],
      );
    await commit(tenantA, A_EVENTS);
    await new Promise((r) => setTimeout(r, 500)); // A's deliveries are queued and hanging
    for (let i = 0; i < B_EVENTS; i++) {
      await commit(tenantB, 1);
      await new Promise((r) => setTimeout(r, 50));
    }
    const until = Date.now() + 120_000;
    while (latencies.length < B_EVENTS && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    const sorted = [...latencies].sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
    console.log(
      `\nWebhook fairness: tenant A has ${A_EVENTS} deliveries to a receiver that never answers ` +
        `(timeout ${process.env.WEBHOOK_TIMEOUT_MS ?? 5000} ms); tenant B commits ${B_EVENTS} events, one every 50 ms.\n` +
        `tenant B commit → delivered: ${latencies.length}/${B_EVENTS} delivered, ` +
        `p50 ${at(0.5)} ms, p90 ${at(0.9)} ms, p99 ${at(0.99)} ms, max ${sorted[sorted.length - 1]} ms\n`,
    );
  } finally {
    blackHole.server.closeAllConnections();
    blackHole.server.close();
    healthy.server.close();
    await db.end();
    await iam.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
