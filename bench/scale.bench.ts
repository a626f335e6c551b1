// `npm run bench:scale`: scale-out check. Two SCIM gateways and two IAM services (each a worker of
// the provisioning queue, one relaying events at a time) against one PostgreSQL and one Redis; the
// Entra-like cycle (filter → create → patch → read back) spread over both gateways while a consumer
// follows the subject-change events. Verifies every answer, that no accepted write is lost or
// applied twice, that each subject's events arrive in sequence order and that all arrive; prints
// requests/s per gateway, CPU used per service instance and PostgreSQL commits/s.
import 'reflect-metadata';
import autocannon from 'autocannon';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { SubjectEvent } from '@app/contracts';
import { SubjectEventConsumer } from '@app/events';
import { ChildService, spawnService } from '@test/support';
import {
  adminCall,
  BENCH_DATABASE,
  CONNECTIONS,
  connectEntra,
  cpuSeconds,
  DURATION_S,
  prepareBench,
  printResults,
  ScenarioResult,
  scenarioResult,
} from './harness';

const INSTANCES = Number(process.env.BENCH_INSTANCES ?? 2);
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const run = randomBytes(3).toString('hex');

/** What one connection carries through its cycle. */
interface Cycle {
  userName: string;
  id: string;
  title: string;
}

/** What the gateways answered, to be compared with what PostgreSQL and the event stream hold. */
const answered = {
  created: new Map<string, string>(), // userName → id
  titles: new Map<string, string>(), // id → the title of the last patch answered
  patches: new Map<string, number>(), // id → patches answered
  sent: new Map<string, string[]>(), // id → the titles of every patch sent, in order (answered or not)
  wrong: [] as string[],
};

async function main(): Promise<void> {
  const { env, adminToken } = await prepareBench();
  // One after the other: the first runs the migrations.
  const iams: ChildService[] = [];
  for (let i = 0; i < INSTANCES; i++) iams.push(await spawnService('iam-admin', env));
  const gateways: ChildService[] = [];
  for (let i = 0; i < INSTANCES; i++) gateways.push(await spawnService('scim-gateway', env));
  const db = new Client({ connectionString: BENCH_DATABASE });
  await db.connect();
  const tenantId = (await adminCall(iams[0]!.url, adminToken, 'GET', '/v1/tenants'))[0].id as string;
  const scimToken = await connectEntra(iams[0]!.url, adminToken, tenantId);
  const order = {
    received: new Set<string>(),
    last: new Map<string, number>(),
    outOfOrder: 0,
    redelivered: 0,
  };
  const consumer = new SubjectEventConsumer({
    redis: env.REDIS_URL!,
    queuePrefix: env.QUEUE_PREFIX!,
    group: 'scale-bench',
    batchSize: 500,
    blockMs: 100,
    handle: async (event: SubjectEvent) => {
      const aggregate = (event.type.startsWith('group.') ? event.groupId : event.subjectId)!;
      if (order.received.has(event.id)) order.redelivered++;
      else if (event.sequence !== (order.last.get(aggregate) ?? 0) + 1) order.outOfOrder++;
      order.received.add(event.id);
      order.last.set(aggregate, Math.max(event.sequence, order.last.get(aggregate) ?? 0));
    },
  });
  await consumer.start();
  try {
    const services = [...iams, ...gateways];
    const cpuBefore = services.map((s) => cpuSeconds(s.process.pid!));
    const commitsBefore = await commits(db);
    const results = await Promise.all(
      gateways.map((gateway, i) =>
        cycle(`gateway ${i + 1}`, `${gateway.url}/${tenantId}/api/scim/v2`, scimToken),
      ),
    );
    const cpu = services.map((s, i) => cpuSeconds(s.process.pid!) - cpuBefore[i]!);
    const commitsUsed = (await commits(db)) - commitsBefore;

    const outbox = await waitForEvents(db, tenantId, order.received);
    const audit = await auditWrites(db, tenantId);
    const requests = results.reduce((n, r) => n + r.requests, 0);
    const writes = [...answered.patches.values()].reduce((n, p) => n + p, answered.created.size);
    const iamCpu = cpu.slice(0, INSTANCES);
    const gatewayCpu = cpu.slice(INSTANCES);
    const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
    printResults(
      `Scale-out: ${INSTANCES} gateways + ${INSTANCES} IAM services (npm run bench:scale)`,
      results,
      [
        `each gateway got ${CONNECTIONS / INSTANCES} of the ${CONNECTIONS} connections; every connection repeats filter → create → patch → read back`,
        `answers checked: ${requests} (${answered.wrong.length} wrong${answered.wrong.length ? `: ${answered.wrong.slice(0, 5).join('; ')}` : ''})`,
        `writes answered: ${answered.created.size} creates, ${writes - answered.created.size} patches; lost: ${audit.lost}, applied twice: ${audit.twice}, created without an answer: ${audit.unanswered}`,
        `events: ${outbox} committed, ${order.received.size} consumed (${order.redelivered} redelivered), out of sequence order: ${order.outOfOrder}`,
        `CPU seconds used during the run — IAM: ${iamCpu.map((c) => c.toFixed(1)).join(' / ')}, gateways: ${gatewayCpu.map((c) => c.toFixed(1)).join(' / ')}`,
        `per core: ${Math.round(writes / sum(iamCpu))} write commands per IAM CPU-second, ${Math.round(requests / sum(gatewayCpu))} SCIM requests per gateway CPU-second`,
        `PostgreSQL commits: ${commitsUsed} in ${DURATION_S} s (${Math.round(commitsUsed / DURATION_S)}/s, ${(commitsUsed / Math.max(1, writes)).toFixed(2)} per write, relay and reads included)`,
      ],
    );
    const failed =
      answered.wrong.length + audit.lost + audit.twice + order.outOfOrder + (outbox - order.received.size);
    if (failed > 0) process.exitCode = 1;
  } finally {
    await consumer.stop();
    await db.end();
    for (const service of [...gateways, ...iams]) await service.stop();
  }
}

/** The Entra-like cycle through one gateway, every answer checked against what was sent. */
async function cycle(name: string, scimBase: string, token: string): Promise<ScenarioResult> {
  const base = new URL(scimBase).pathname;
  let n = 0;
  const check = (ok: boolean, what: string) => {
    if (!ok) answered.wrong.push(what);
  };
  const result = await autocannon({
    url: scimBase,
    connections: CONNECTIONS / INSTANCES,
    duration: DURATION_S,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
    requests: [
      {
        method: 'GET',
        setupRequest: (r, ctx: object) => {
          const context = ctx as Cycle;
          context.userName = `scale-${run}-${name.replace(' ', '')}-${n++}@bench.test`;
          return {
            ...r,
            path: `${base}/Users?filter=${encodeURIComponent(`userName eq "${context.userName}"`)}`,
          };
        },
        onResponse: (status, body) =>
          check(
            status === 200 && JSON.parse(body).totalResults === 0,
            `filter answered ${status} ${body.slice(0, 200)}`,
          ),
      },
      {
        method: 'POST',
        path: `${base}/Users`,
        setupRequest: (r, ctx: object) => ({
          ...r,
          body: JSON.stringify({ schemas: [USER], userName: (ctx as Cycle).userName, active: true }),
        }),
        onResponse: (status, body, ctx: object) => {
          const context = ctx as Cycle;
          const user = status === 201 ? JSON.parse(body) : {};
          check(user.userName === context.userName, `create answered ${status} ${body.slice(0, 200)}`);
          context.id = user.id;
          if (user.id) answered.created.set(context.userName, user.id);
        },
      },
      {
        method: 'PATCH',
        setupRequest: (r, ctx: object) => {
          const context = ctx as Cycle;
          context.title = `T${n++}`;
          answered.sent.set(context.id, [...(answered.sent.get(context.id) ?? []), context.title]);
          return {
            ...r,
            path: `${base}/Users/${context.id}`,
            body: JSON.stringify({
              schemas: [PATCH_OP],
              Operations: [{ op: 'replace', path: 'title', value: context.title }],
            }),
          };
        },
        onResponse: (status, body, ctx: object) => {
          const context = ctx as Cycle;
          check(
            status === 200 && JSON.parse(body).title === context.title,
            `patch answered ${status} ${body.slice(0, 200)}`,
          );
          if (status === 200) {
            answered.titles.set(context.id, context.title);
            answered.patches.set(context.id, (answered.patches.get(context.id) ?? 0) + 1);
          }
        },
      },
      {
        method: 'GET',
        setupRequest: (r, ctx: object) => ({ ...r, path: `${base}/Users/${(ctx as Cycle).id}` }),
        onResponse: (status, body, ctx: object) =>
          check(
            status === 200 && JSON.parse(body).title === (ctx as Cycle).title,
            `read-back answered ${status}`,
          ),
      },
    ],
  });
  return scenarioResult(`${name}: Entra-like cycle + read back`, result);
}

const commits = async (db: Client): Promise<number> =>
  Number(
    (await db.query(`SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()`)).rows[0]
      .xact_commit,
  );

/**
 * Waits until the writes still in flight when the load stopped are applied (the outbox stops
 * growing) and the consumer has every event of the tenant; answers how many events that is.
 */
async function waitForEvents(db: Client, tenantId: string, received: Set<string>): Promise<number> {
  const until = Date.now() + 60_000;
  let ids: string[] = [];
  for (;;) {
    await new Promise((r) => setTimeout(r, 500));
    const before = ids.length;
    ids = (await db.query(`SELECT id FROM subject_events WHERE tenant_id = $1`, [tenantId])).rows.map(
      (r: { id: string }) => r.id,
    );
    const settled = ids.length === before && ids.every((id) => received.has(id));
    if (settled || Date.now() > until) return ids.length;
  }
}

/**
 * Compares the answers with PostgreSQL. Lost: an answered create whose subject is missing, or a
 * subject whose title is older than the last patch answered (a later patch sent but cut off when
 * the load stopped may have overwritten it). Applied twice: a subject with more than one created
 * event, or more updated events than patches sent to it.
 */
async function auditWrites(
  db: Client,
  tenantId: string,
): Promise<{ lost: number; twice: number; unanswered: number }> {
  const rows = (
    await db.query(
      `SELECT s.id, s.user_name, s.document->>'title' AS title,
              count(*) FILTER (WHERE e.event->>'type' = 'subject.created')::int AS created,
              count(*) FILTER (WHERE e.event->>'type' = 'subject.updated')::int AS updated
         FROM subjects s LEFT JOIN subject_events e ON e.aggregate_id = s.id
        WHERE s.tenant_id = $1 AND s.user_name LIKE $2 GROUP BY s.id`,
      [tenantId, `scale-${run}-%`],
    )
  ).rows as Array<{ id: string; user_name: string; title: string | null; created: number; updated: number }>;
  const byId = new Map(rows.map((r) => [r.id, r]));
  let lost = 0;
  for (const [userName, id] of answered.created) if (byId.get(id)?.user_name !== userName) lost++;
  for (const [id, title] of answered.titles) {
    const sent = answered.sent.get(id) ?? [];
    if (sent.indexOf(byId.get(id)?.title ?? '') < sent.indexOf(title)) lost++;
  }
  const twice = rows.filter(
    (r) => r.created !== 1 || r.updated > (answered.sent.get(r.id)?.length ?? 0),
  ).length;
  // Creates cut off when the load stopped, or answered 503 (IAM slower than the gateway's deadline), are applied later.
  const unanswered = rows.filter((r) => !answered.created.has(r.user_name)).length;
  return { lost, twice, unanswered };
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
