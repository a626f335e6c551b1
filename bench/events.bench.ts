// `npm run bench:events`: subject-change events from commit to consumer, against the real stack.
// 1) SCIM creates at 50 connections while a consumer measures commit → consumer lag;
// 2) a backlog of outbox rows drained by the relay, for raw events/s.
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { SubjectEvent } from '@app/contracts';
import { SubjectEventConsumer } from '@app/events';
import { printResults, runScenario, startBenchStack } from './harness';

const BACKLOG = Number(process.env.BENCH_EVENT_BACKLOG ?? 50_000);
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

async function main(): Promise<void> {
  const stack = await startBenchStack();
  const lags: number[] = [];
  let received = 0;
  let lastReceivedAt = 0;
  const consumer = new SubjectEventConsumer({
    redis: stack.env.REDIS_URL,
    queuePrefix: stack.env.QUEUE_PREFIX,
    group: 'bench',
    batchSize: 500,
    blockMs: 100,
    handle: async (event: SubjectEvent) => {
      received++;
      lastReceivedAt = Date.now();
      lags.push(lastReceivedAt - Date.parse(event.occurredAt));
    },
  });
  await consumer.start();
  try {
    const run = randomBytes(3).toString('hex');
    let n = 0;
    const base = new URL(stack.scimBase).pathname;
    const creates = await runScenario('POST /Users with a consumer attached', {
      url: stack.scimBase,
      headers: { authorization: `Bearer ${stack.scimToken}`, 'content-type': 'application/scim+json' },
      requests: [
        {
          method: 'POST',
          path: `${base}/Users`,
          setupRequest: (r) => ({
            ...r,
            body: JSON.stringify({ schemas: [USER], userName: `ev-${run}-${n++}@bench.test` }),
          }),
        },
      ],
    });
    await waitFor(() => received >= creates.requests - creates.non2xx);
    const live = summarize(lags);
    const liveReceived = received;

    // Backlog: rows committed while nobody published (as after a relay outage), then drained.
    lags.length = 0;
    received = 0;
    const start = performance.now();
    await stack.db.query(
      `INSERT INTO subject_events (tenant_id, aggregate_id, sequence, event)
       SELECT $1::uuid, gen_random_uuid(), 1, jsonb_build_object('specVersion', 1, 'type', 'subject.updated', 'tenantId', $1::text,
              'source', 'scim', 'state', jsonb_build_object('userName', 'backlog-' || g))
         FROM generate_series(1, $2) g`,
      [stack.tenantId, BACKLOG],
    );
    await waitFor(() => received >= BACKLOG, 300_000);
    const drainSeconds = (performance.now() - start - (Date.now() - lastReceivedAt)) / 1000;

    printResults(
      'Subject-change events (npm run bench:events)',
      [creates],
      [
        `events delivered to the consumer during the create run: ${liveReceived} (one per created user)`,
        `commit → consumer lag while creating: p50 ${live.p50} ms, p90 ${live.p90} ms, p99 ${live.p99} ms, max ${live.max} ms`,
        `backlog of ${BACKLOG} committed events drained relay → stream → consumer in ${drainSeconds.toFixed(2)} s: ${Math.round(BACKLOG / drainSeconds)} events/s`,
      ],
    );
  } finally {
    await consumer.stop();
    await stack.stop();
  }
}

function summarize(values: number[]): { p50: number; p90: number; p99: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted.at(-1) ?? NaN };
}

async function waitFor(check: () => boolean, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('events did not all arrive in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
