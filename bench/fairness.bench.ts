// `npm run bench:fairness`: tenant B's SCIM reads while tenant A runs expensive filters on the same gateway,
// with the per-tenant read guard (SCIM_TENANT_READ_CONCURRENCY, default 4) and without it (0). Tenant A has
// BENCH_TENANT_A_USERS users and sends filters that scan them (`displayName co` / `emails.value co`, no index
// serves them) at BENCH_A_CONNECTIONS; tenant B sends `userName eq` (index) at BENCH_B_CONNECTIONS. Both
// gateways run against the same database with the same pool size; only one is driven at a time.
import 'reflect-metadata';
import autocannon from 'autocannon';
import os from 'node:os';
import { spawnService } from '@test/support';
import { adminCall, BenchStack, connectEntra, DURATION_S, seedUsers, startBenchStack } from './harness';

const A_USERS = Number(process.env.BENCH_TENANT_A_USERS ?? 50_000);
const B_USERS = Number(process.env.BENCH_TENANT_B_USERS ?? 10_000);
const A_CONNECTIONS = Number(process.env.BENCH_A_CONNECTIONS ?? 30);
const B_CONNECTIONS = Number(process.env.BENCH_B_CONNECTIONS ?? 10);
/** `displayName` (lower(display_name) LIKE '%…%' over the tenant's rows) or `emails` (a scan of the JSON documents). */
const A_FILTER = process.env.BENCH_A_FILTER ?? 'displayName';
const WARMUP_S = Number(process.env.BENCH_WARMUP ?? 3);

interface Run {
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  max: number;
  errors: number;
  status: Record<string, number>;
}

const random = (n: number) => 1 + Math.floor(Math.random() * n);

/** An expensive filter of tenant A: each request scans all of A's users (different value each time). */
const expensiveFilter = (): string =>
  A_FILTER === 'emails'
    ? `emails.value co "a-${random(A_USERS)}@"`
    : `displayName co "User ${random(A_USERS)}"`;

async function drive(
  url: string,
  token: string,
  connections: number,
  duration: number,
  filter: () => string,
): Promise<Run> {
  const path = new URL(url).pathname;
  const result = await autocannon({
    url,
    connections,
    duration,
    headers: { authorization: `Bearer ${token}` },
    requests: [
      {
        method: 'GET',
        setupRequest: (req) => ({
          ...req,
          path: `${path}/Users?filter=${encodeURIComponent(filter())}`,
        }),
      },
    ],
  });
  const status: Record<string, number> = {};
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) status[code] = stat.count ?? 0;
  return {
    requests: result.requests.total,
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    errors: result.errors + result.timeouts,
    status,
  };
}

/** A second tenant with its own SCIM token, through the admin API as an operator would create it. */
async function createTenant(stack: BenchStack, displayName: string) {
  const created = await adminCall(stack.iam.url, stack.adminToken, 'POST', '/v1/tenants', { displayName });
  const tenantId = created.id as string;
  return { tenantId, token: await connectEntra(stack.iam.url, stack.adminToken, tenantId) };
}

async function main(): Promise<void> {
  const stack = await startBenchStack();
  const unguarded = await spawnService('scim-gateway', {
    ...stack.env,
    SCIM_TENANT_READ_CONCURRENCY: '0',
  });
  try {
    const a = { tenantId: stack.tenantId, token: stack.scimToken };
    const b = await createTenant(stack, 'Tenant B');
    console.log(`seeding ${A_USERS} users in tenant A and ${B_USERS} in tenant B …`);
    await seedUsers(stack, A_USERS, 'a');
    await seedUsers({ ...stack, tenantId: b.tenantId }, B_USERS, 'b');

    const cheapFilter = () => `userName eq "b-${random(B_USERS)}@contoso.com"`;
    const gateways = [
      {
        label: `guard on (SCIM_TENANT_READ_CONCURRENCY=${process.env.SCIM_TENANT_READ_CONCURRENCY ?? 4})`,
        url: stack.gateway.url,
      },
      { label: 'guard off (SCIM_TENANT_READ_CONCURRENCY=0)', url: unguarded.url },
    ];
    const base = (gatewayUrl: string, tenantId: string) => `${gatewayUrl}/${tenantId}/api/scim/v2`;

    // Check that both filters answer what they should before measuring them.
    for (const [tenant, filter, minimum] of [
      [a, expensiveFilter(), 1],
      [b, cheapFilter(), 1],
    ] as const) {
      const res = await fetch(
        `${base(stack.gateway.url, tenant.tenantId)}/Users?filter=${encodeURIComponent(filter)}`,
        {
          headers: { authorization: `Bearer ${tenant.token}` },
        },
      );
      const body = (await res.json()) as { totalResults?: number };
      if (res.status !== 200 || (body.totalResults ?? 0) < minimum)
        throw new Error(`${filter}: ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
    }

    const rows: Array<{ gateway: string; phase: string; tenant: string; run: Run }> = [];
    for (const gateway of gateways) {
      const aUrl = base(gateway.url, a.tenantId);
      const bUrl = base(gateway.url, b.tenantId);
      // Warm-up (JIT, caches, token lookups), not measured.
      await Promise.all([
        drive(aUrl, a.token, A_CONNECTIONS, WARMUP_S, expensiveFilter),
        drive(bUrl, b.token, B_CONNECTIONS, WARMUP_S, cheapFilter),
      ]);
      const alone = await drive(bUrl, b.token, B_CONNECTIONS, DURATION_S, cheapFilter);
      rows.push({ gateway: gateway.label, phase: 'B alone', tenant: 'B', run: alone });
      const [runA, runB] = await Promise.all([
        drive(aUrl, a.token, A_CONNECTIONS, DURATION_S, expensiveFilter),
        drive(bUrl, b.token, B_CONNECTIONS, DURATION_S, cheapFilter),
      ]);
      rows.push({ gateway: gateway.label, phase: 'A + B', tenant: 'B', run: runB });
      rows.push({ gateway: gateway.label, phase: 'A + B', tenant: 'A', run: runA });
    }

    const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
    console.log(`\n## Tenant read fairness (npm run bench:fairness)`);
    console.log(
      `machine: ${os.cpus().length} cores (${cpu}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}; everything on this machine`,
    );
    console.log(
      `gateway pool ${stack.env.DATABASE_POOL_SIZE} connections; tenant A: ${A_USERS} users, ${A_CONNECTIONS} connections of ` +
        `\`${A_FILTER === 'emails' ? 'emails.value co "a-<n>@"' : 'displayName co "User <n>"'}\`; tenant B: ${B_USERS} users, ` +
        `${B_CONNECTIONS} connections of \`userName eq "b-<n>@contoso.com"\`; ${DURATION_S} s per phase\n`,
    );
    console.log(
      '| gateway | phase | tenant | requests | req/s | p50 ms | p99 ms | max ms | 200 | 429 | other non-2xx | errors |',
    );
    console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
    for (const { gateway, phase, tenant, run } of rows) {
      const ok = run.status['200'] ?? 0;
      const busy = run.status['429'] ?? 0;
      const other = Object.entries(run.status)
        .filter(([code]) => code !== '200' && code !== '429')
        .map(([code, n]) => `${n}×${code}`)
        .join(', ');
      console.log(
        `| ${gateway} | ${phase} | ${tenant} | ${run.requests} | ${run.rps} | ${run.p50} | ${run.p99} | ${run.max} | ${ok} | ${busy} | ${other || 0} | ${run.errors} |`,
      );
    }
  } finally {
    await unguarded.stop();
    await stack.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
