import autocannon from 'autocannon';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { Queue } from 'bullmq';
import { Client } from 'pg';
import { QueueName } from '@app/contracts';
import { redisConnection } from '@app/platform';
import { ChildService, spawnService } from '@test/support';

export const BENCH_DATABASE =
  process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/iam_bench';
export const DURATION_S = Number(process.env.BENCH_DURATION ?? 10);
export const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);

export interface BenchStack {
  iam: ChildService;
  gateway: ChildService;
  adminToken: string;
  tenantId: string;
  scimToken: string;
  /** `${gateway.url}/${tenantId}/api/scim/v2` */
  scimBase: string;
  db: Client;
  /** The environment both services run with. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** One admin API call as the bench's operator (JSON in and out; throws on anything but 2xx). */
export async function adminCall(
  iamUrl: string,
  adminToken: string,
  method: string,
  path: string,
  body?: unknown,
  tenantId?: string,
): Promise<any> {
  const res = await fetch(`${iamUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${adminToken}`,
      'content-type': 'application/json',
      ...(tenantId ? { 'x-tenant-id': tenantId } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** What an operator does before Entra can provision a tenant: an identity provider and its SCIM token. */
export async function connectEntra(iamUrl: string, adminToken: string, tenantId: string): Promise<string> {
  await adminCall(
    iamUrl,
    adminToken,
    'POST',
    '/v1/sso/azuread',
    {
      scheme: 'entra',
      displayName: 'Entra',
      type: 'oidc',
      properties: {
        clientId: 'bench',
        clientSecret: 'bench-secret',
        authority: 'https://login.microsoftonline.com/x/v2.0',
      },
    },
    tenantId,
  );
  const created = await adminCall(
    iamUrl,
    adminToken,
    'POST',
    '/v1/scim',
    { provider: 'entra', providerDisplayName: 'Entra' },
    tenantId,
  );
  return created.token as string;
}

/**
 * PostgreSQL and Redis (started if needed), a fresh bench database, and the environment every
 * service of the bench runs with (its own queue prefix, a new admin token).
 */
export async function prepareBench(): Promise<{ env: Record<string, string>; adminToken: string }> {
  execFileSync('bash', ['scripts/ensure-services.sh'], { stdio: 'inherit' });
  const admin = new Client({
    connectionString: Object.assign(new URL(BENCH_DATABASE), { pathname: '/postgres' }).toString(),
  });
  await admin.connect();
  const name = new URL(BENCH_DATABASE).pathname.slice(1);
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();

  const adminToken = `iamadm_${randomBytes(32).toString('base64url')}`;
  const env = {
    NODE_ENV: 'production',
    DATABASE_URL: BENCH_DATABASE,
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: `bench-${randomBytes(4).toString('hex')}`,
    IAM_SECRET_KEY: randomBytes(32).toString('base64'),
    IAM_BOOTSTRAP_ADMIN_TOKEN: adminToken,
    LOG_LEVEL: 'warn',
    DATABASE_POOL_SIZE: process.env.BENCH_POOL_SIZE ?? '10',
    // One load generator on one address and one token: the rate limits would measure themselves.
    SCIM_RATE_LIMIT_PER_TOKEN: '0',
    SCIM_RATE_LIMIT_PER_IP: '0',
  };
  return { env, adminToken };
}

/** PostgreSQL and Redis (started if needed), a fresh bench database, both services as real processes. */
export async function startBenchStack(): Promise<BenchStack> {
  const { env, adminToken } = await prepareBench();
  const iam = await spawnService('iam-admin', env);
  const gateway = await spawnService('scim-gateway', env);
  const tenantId = (await adminCall(iam.url, adminToken, 'GET', '/v1/tenants'))[0].id as string;
  const scimToken = await connectEntra(iam.url, adminToken, tenantId);
  const db = new Client({ connectionString: BENCH_DATABASE });
  await db.connect();
  return {
    iam,
    gateway,
    adminToken,
    tenantId,
    scimToken,
    scimBase: `${gateway.url}/${tenantId}/api/scim/v2`,
    db,
    env,
    stop: async () => {
      await db.end();
      await gateway.stop();
      await iam.stop();
    },
  };
}

/**
 * Seeds users straight into the table (seeding is not what is measured), then ANALYZE unless
 * `analyze` is false (the cold-statistics mode: see withoutStatistics).
 */
export async function seedUsers(
  stack: BenchStack,
  count: number,
  prefix = 'seed',
  { analyze = true } = {},
): Promise<void> {
  await stack.db.query(
    `INSERT INTO subjects (tenant_id, user_name, external_id, display_name, active, document, provider, source, version)
     SELECT $1, '${prefix}-' || g || '@contoso.com', 'ext-' || g, 'Seed User ' || g, true,
       jsonb_build_object('schemas', jsonb_build_array('urn:ietf:params:scim:schemas:core:2.0:User'),
         'userName', '${prefix}-' || g || '@contoso.com', 'externalId', 'ext-' || g, 'displayName', 'Seed User ' || g,
         'active', true, 'emails', jsonb_build_array(jsonb_build_object('type', 'work', 'primary', true, 'value', '${prefix}-' || g || '@contoso.com'))),
       'entra', 'scim', 1
     FROM generate_series(1, $2) g`,
    [stack.tenantId, count],
  );
  if (analyze) await stack.db.query('ANALYZE subjects');
}

/** The SCIM tables, which the cold-statistics mode keeps autovacuum (and its ANALYZE) away from. */
const SCIM_TABLES = ['subjects', 'groups', 'group_members'];

/**
 * Cold statistics, as on a new installation or a tenant Entra filled minutes ago: the bench database
 * is new, and autovacuum may not analyze its SCIM tables; the caller seeds without ANALYZE.
 */
export async function withoutStatistics(stack: BenchStack): Promise<void> {
  for (const table of SCIM_TABLES)
    await stack.db.query(`ALTER TABLE ${table} SET (autovacuum_enabled = off)`);
  const [{ n }] = (
    await stack.db.query(`SELECT count(*)::int AS n FROM pg_stats WHERE tablename = ANY($1)`, [SCIM_TABLES])
  ).rows;
  if (n !== 0) throw new Error(`the bench database is not cold: ${n} column statistics on the SCIM tables`);
}

/**
 * Waits until IAM has applied every provisioning command accepted so far (none waiting, active or
 * delayed): requests still in flight when a scenario stops are applied after it, and a read-back
 * check taken before then would compare against a moving target.
 */
export async function provisioningDrained(stack: BenchStack, timeoutMs = 60_000): Promise<void> {
  const queue = new Queue(QueueName.ProvisioningCommands, {
    connection: redisConnection(stack.env.REDIS_URL!),
    prefix: stack.env.QUEUE_PREFIX,
  });
  try {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      if (Object.values(counts).every((n) => n === 0)) return;
      if (Date.now() > until) throw new Error(`provisioning queue not drained: ${JSON.stringify(counts)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await queue.close();
  }
}

/** Resident memory of a process in MiB (Linux /proc). */
export const rssMiB = (pid: number): number =>
  Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024);

/** CPU time (user + system) a process has used so far, in seconds (Linux /proc; 100 ticks a second). */
export function cpuSeconds(pid: number): number {
  // Fields after the command name, which is in parentheses and may hold spaces: utime, stime are 14th, 15th.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The highest RSS of both services while `work` runs (sampled every 200 ms). */
export async function peakRss<T>(
  stack: BenchStack,
  work: () => Promise<T>,
): Promise<{ result: T; iam: number; gateway: number }> {
  const peak = { iam: 0, gateway: 0 };
  const sample = () => {
    peak.iam = Math.max(peak.iam, rssMiB(stack.iam.process.pid!));
    peak.gateway = Math.max(peak.gateway, rssMiB(stack.gateway.process.pid!));
  };
  sample();
  const timer = setInterval(sample, 200);
  try {
    const result = await work();
    sample();
    return { result, ...peak };
  } finally {
    clearInterval(timer);
  }
}

export interface ScenarioResult {
  name: string;
  requests: number;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  errors: number;
  non2xx: number;
  /** Peak resident memory of each service during the scenario (MiB), when measured. */
  rss?: { iam: number; gateway: number };
}

/** Runs one autocannon scenario and returns its figures (latencies in ms). */
export async function runScenario(
  name: string,
  options: Omit<autocannon.Options, 'url'> & { url: string },
): Promise<ScenarioResult> {
  // BENCH_ONLY=create runs only the scenarios whose name contains that text (for tuning runs).
  const only = process.env.BENCH_ONLY;
  if (only && !name.toLowerCase().includes(only.toLowerCase())) {
    return { name, requests: 0, rps: 0, p50: 0, p90: 0, p99: 0, errors: 0, non2xx: 0 };
  }
  return scenarioResult(
    name,
    await autocannon({ connections: CONNECTIONS, duration: DURATION_S, ...options }),
  );
}

/** One autocannon run's figures (latencies in ms) under a scenario name. */
export function scenarioResult(name: string, result: autocannon.Result): ScenarioResult {
  return {
    name,
    requests: result.requests.total,
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

export function printResults(title: string, results: ScenarioResult[], notes: string[] = []): void {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  console.log(`\n## ${title}`);
  console.log(
    `machine: ${os.cpus().length} cores (${cpu}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`,
  );
  console.log(
    `load: ${CONNECTIONS} connections, ${DURATION_S} s per scenario; everything (PostgreSQL, Redis, both services, load generator) on this machine\n`,
  );
  const rss = results.some((r) => r.rss);
  console.log(
    `| scenario | requests | req/s | p50 ms | p90 ms | p99 ms | errors | non-2xx |${rss ? ' peak RSS MiB (iam / gateway) |' : ''}`,
  );
  console.log(`|---|---|---|---|---|---|---|---|${rss ? '---|' : ''}`);
  for (const r of results) {
    const memory = rss ? ` ${r.rss ? `${r.rss.iam} / ${r.rss.gateway}` : ''} |` : '';
    console.log(
      `| ${r.name} | ${r.requests} | ${r.rps} | ${r.p50} | ${r.p90} | ${r.p99} | ${r.errors} | ${r.non2xx} |${memory}`,
    );
  }
  for (const note of notes) console.log(`\n${note}`);
}
