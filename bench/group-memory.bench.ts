// `npm run bench:group-memory`: the gateway's resident memory while Group reads that include members hit
// BENCH_GROUPS groups of BENCH_GROUP_MEMBERS members each. Members are capped per answer at
// SCIM_GROUP_MEMBERS_MAX (default 1000), so memory must stay flat however large the groups are.
// RSS is read from /proc/<gateway pid>/status every BENCH_SAMPLE_MS before, during and after the load.
// Control: BENCH_GROUP_MEMBERS=1000 (groups at the cap, the same answers); worst case:
// SCIM_TENANT_READ_CONCURRENCY=0 (all 20 reads at once instead of 4 per tenant).
import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { DURATION_S, seedUsers, startBenchStack } from './harness';

const GROUPS = Number(process.env.BENCH_GROUPS ?? 10);
const MEMBERS = Number(process.env.BENCH_GROUP_MEMBERS ?? 100_000);
const SAMPLE_MS = Number(process.env.BENCH_SAMPLE_MS ?? 200);
const IDLE_S = Number(process.env.BENCH_IDLE ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';

const rssMiB = (pid: number): number =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Samples the RSS of `pid` every SAMPLE_MS while `work` runs; returns its result with the samples' figures. */
async function sampled<T>(pid: number, work: () => Promise<T>) {
  const samples: number[] = [rssMiB(pid)];
  const timer = setInterval(() => samples.push(rssMiB(pid)), SAMPLE_MS);
  try {
    const result = await work();
    samples.push(rssMiB(pid));
    return {
      result,
      samples: samples.length,
      min: Math.min(...samples),
      peak: Math.max(...samples),
      last: samples.at(-1)!,
    };
  } finally {
    clearInterval(timer);
  }
}

async function main(): Promise<void> {
  const stack = await startBenchStack();
  try {
    console.log(`seeding ${MEMBERS} users and ${GROUPS} groups of ${MEMBERS} members each …`);
    await seedUsers(stack, MEMBERS, 'm');
    const scim = (method: string, path: string, body?: unknown) =>
      fetch(`${stack.scimBase}${path}`, {
        method,
        headers: { authorization: `Bearer ${stack.scimToken}`, 'content-type': 'application/scim+json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const groupIds: string[] = [];
    for (let i = 0; i < GROUPS; i++) {
      const res = await scim('POST', '/Groups', { schemas: [GROUP], displayName: `Big ${i}`, members: [] });
      if (res.status !== 201) throw new Error(`POST /Groups: ${res.status} ${await res.text()}`);
      groupIds.push(((await res.json()) as { id: string }).id);
    }
    for (const id of groupIds) {
      await stack.db.query(
        `INSERT INTO group_members (group_id, subject_id, tenant_id)
         SELECT $1, id, tenant_id FROM subjects WHERE tenant_id = $2`,
        [id, stack.tenantId],
      );
    }
    await stack.db.query('ANALYZE');
    const [{ n: memberships }] = (
      await stack.db.query(`SELECT count(*)::int AS n FROM group_members WHERE tenant_id = $1`, [
        stack.tenantId,
      ])
    ).rows;

    // What the answers hold: the cap, the truncation header, the size.
    const one = await scim('GET', `/Groups/${groupIds[0]}`);
    const oneBody = await one.text();
    const oneMembers = (JSON.parse(oneBody) as { members?: unknown[] }).members?.length ?? 0;
    const list = await scim('GET', '/Groups?count=10');
    const listBody = await list.text();
    const listed = (JSON.parse(listBody) as { Resources: Array<{ members?: unknown[] }> }).Resources;
    console.log(
      `GET /Groups/{id}: ${one.status}, ${oneMembers} members listed, Scim-Members-Truncated: ${one.headers.get('scim-members-truncated')}, ${Math.round(oneBody.length / 1024)} KiB`,
    );
    console.log(
      `GET /Groups?count=10: ${list.status}, ${listed.length} groups, ${listed.map((g) => g.members?.length ?? 0).join('/')} members listed, ` +
        `Scim-Members-Truncated: ${list.headers.get('scim-members-truncated')}, ${Math.round(listBody.length / 1024)} KiB`,
    );

    // One read at a time (no queueing at the gateway): what a single read costs in the database.
    const alone = async (path: string, times: number) => {
      const ms: number[] = [];
      for (let i = 0; i < times; i++) {
        const start = performance.now();
        await (await scim('GET', path)).arrayBuffer();
        ms.push(performance.now() - start);
      }
      return ms.sort((x, y) => x - y)[Math.floor(times / 2)]!.toFixed(0);
    };
    console.log(
      `one at a time, median: GET /Groups/{id} ${await alone(`/Groups/${groupIds[1]}`, 5)} ms, ` +
        `GET /Groups?count=10 ${await alone('/Groups?count=10', 5)} ms`,
    );

    const pid = stack.gateway.process.pid!;
    const base = new URL(stack.scimBase).pathname;
    const headers = { authorization: `Bearer ${stack.scimToken}` };
    const phases: Array<{ name: string; min: number; peak: number; last: number; samples: number }> = [];
    const results: Array<{
      name: string;
      requests: number;
      rps: number;
      p50: number;
      p99: number;
      errors: number;
      status: string;
    }> = [];

    const idle = async (name: string) => {
      const s = await sampled(pid, () => sleep(IDLE_S * 1000));
      phases.push({ name, ...s });
    };
    const load = async (name: string, path: () => string) => {
      const s = await sampled(pid, () =>
        autocannon({
          url: stack.scimBase,
          connections: CONNECTIONS,
          duration: DURATION_S,
          headers,
          requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: path() }) }],
        }),
      );
      const status = Object.entries(s.result.statusCodeStats ?? {})
        .map(([code, stat]) => `${stat.count ?? 0}×${code}`)
        .join(', ');
      results.push({
        name,
        requests: s.result.requests.total,
        rps: Math.round(s.result.requests.average),
        p50: s.result.latency.p50,
        p99: s.result.latency.p99,
        errors: s.result.errors + s.result.timeouts,
        status,
      });
      phases.push({ name: `during ${name}`, ...s });
    };

    await idle('baseline (idle, seeded, before any load)');
    for (let round = 1; round <= ROUNDS; round++) {
      await load(
        `round ${round}: GET /Groups/{id} (members included)`,
        () => `${base}/Groups/${groupIds[Math.floor(Math.random() * groupIds.length)]}`,
      );
      await idle(`idle after round ${round} GET /Groups/{id}`);
      await load(`round ${round}: GET /Groups?count=10 (members included)`, () => `${base}/Groups?count=10`);
      await idle(`idle after round ${round} GET /Groups?count=10`);
    }

    const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
    console.log(`\n## Gateway memory with large groups (npm run bench:group-memory)`);
    console.log(
      `machine: ${os.cpus().length} cores (${cpu}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}; everything on this machine`,
    );
    console.log(
      `${GROUPS} groups × ${MEMBERS} members (${memberships} memberships); ${CONNECTIONS} connections, ${DURATION_S} s per scenario, ${ROUNDS} rounds; gateway SCIM_TENANT_READ_CONCURRENCY=${process.env.SCIM_TENANT_READ_CONCURRENCY ?? 4}, SCIM_GROUP_MEMBERS_MAX=${process.env.SCIM_GROUP_MEMBERS_MAX ?? 1000}; RSS of the scim-gateway process (pid ${pid}) every ${SAMPLE_MS} ms\n`,
    );
    console.log('| phase | samples | min RSS MiB | peak RSS MiB | last RSS MiB |');
    console.log('|---|---|---|---|---|');
    for (const p of phases)
      console.log(
        `| ${p.name} | ${p.samples} | ${p.min.toFixed(1)} | ${p.peak.toFixed(1)} | ${p.last.toFixed(1)} |`,
      );
    const baseline = phases[0]!.last;
    const peak = Math.max(...phases.map((p) => p.peak));
    console.log(
      `\nbaseline ${baseline.toFixed(1)} MiB, peak ${peak.toFixed(1)} MiB (+${(peak - baseline).toFixed(1)} MiB), at the end ${phases.at(-1)!.last.toFixed(1)} MiB`,
    );
    console.log('\n| scenario | requests | req/s | p50 ms | p99 ms | status codes | errors |');
    console.log('|---|---|---|---|---|---|---|');
    for (const r of results)
      console.log(
        `| ${r.name} | ${r.requests} | ${r.rps} | ${r.p50} | ${r.p99} | ${r.status} | ${r.errors} |`,
      );
  } finally {
    await stack.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
