// `npm run bench:scim`: SCIM throughput and latency against the real stack (PostgreSQL, Redis,
// IAM admin and SCIM gateway as separate processes). Prints a Markdown table for the README.
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { digestBearerSecret } from '@app/platform';
import { ScimGatewayConfig } from '../apps/scim-gateway/src/config/scim-gateway.config';
import { ScimTokenVerifier } from '../apps/scim-gateway/src/scim-auth/scim-token-verifier';
import {
  BenchStack,
  peakRss,
  printResults,
  provisioningDrained,
  runScenario,
  ScenarioResult,
  seedUsers,
  startBenchStack,
  withoutStatistics,
} from './harness';

const USERS = Number(process.env.BENCH_USERS ?? 100_000);
/** The reads also run before any ANALYZE, autovacuum off (the default); `BENCH_COLD_STATS=0` skips that. */
const COLD_STATS = process.env.BENCH_COLD_STATS !== '0';
const run = randomBytes(3).toString('hex');
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

const newUser = (userName: string) => ({
  schemas: [USER],
  userName,
  externalId: userName.split('@')[0],
  active: true,
  displayName: `Bench ${userName}`,
  emails: [{ type: 'work', primary: true, value: userName }],
  name: { givenName: 'Bench', familyName: 'User' },
});
const filterPath = (base: string, userName: string, attribute = 'userName') =>
  `${base}/Users?filter=${encodeURIComponent(`${attribute} eq "${userName}"`)}`;
/** What one connection carries from request to request in the cycle scenario. */
interface Cycle {
  userName: string;
  id: string;
}
const random = (n: number) => 1 + Math.floor(Math.random() * n);

async function main(): Promise<void> {
  const stack = await startBenchStack();
  try {
    if (COLD_STATS) await withoutStatistics(stack);
    console.log(`seeding ${USERS} users${COLD_STATS ? ' (no ANALYZE)' : ''} …`);
    await seedUsers(stack, USERS, 'seed', { analyze: !COLD_STATS });
    const ids: string[] = (
      await stack.db.query(`SELECT id FROM subjects WHERE tenant_id = $1`, [stack.tenantId])
    ).rows.map((r: { id: string }) => r.id);
    const base = new URL(stack.scimBase).pathname;
    const headers = { authorization: `Bearer ${stack.scimToken}`, 'content-type': 'application/scim+json' };
    const results: ScenarioResult[] = [];
    let counter = 0;
    const created = (label: string) => `${label}-${run}-${counter++}@bench.test`;
    const scenario = async (name: string, options: Parameters<typeof runScenario>[1]) => {
      const { result, iam, gateway } = await peakRss(stack, () => runScenario(name, options));
      results.push({ ...result, rss: { iam, gateway } });
    };
    /** The three reads Entra makes before each write: by userName, by externalId, by id. */
    const reads = async (statistics: string) => {
      for (const attribute of ['userName', 'externalId']) {
        await scenario(`GET /Users?filter=${attribute} eq (${USERS} users, ${statistics})`, {
          url: stack.scimBase,
          headers,
          requests: [
            {
              method: 'GET',
              setupRequest: (r) => {
                const n = random(USERS);
                const value = attribute === 'userName' ? `seed-${n}@contoso.com` : `ext-${n}`;
                return { ...r, path: filterPath(base, value, attribute) };
              },
            },
          ],
        });
      }
      await scenario(`GET /Users/{id} (${statistics})`, {
        url: stack.scimBase,
        headers,
        requests: [
          {
            method: 'GET',
            setupRequest: (r) => ({ ...r, path: `${base}/Users/${ids[random(ids.length) - 1]}` }),
          },
        ],
      });
    };

    if (COLD_STATS) {
      await reads('no ANALYZE, autovacuum off');
      await stack.db.query('ANALYZE subjects, groups, group_members');
    }
    await scenario('POST /Users (create), 1 connection', {
      url: stack.scimBase,
      connections: 1,
      duration: 5,
      headers,
      requests: [
        {
          method: 'POST',
          path: `${base}/Users`,
          setupRequest: (r) => ({ ...r, body: JSON.stringify(newUser(created('c1'))) }),
        },
      ],
    });
    await scenario('POST /Users (create)', {
      url: stack.scimBase,
      headers,
      requests: [
        {
          method: 'POST',
          path: `${base}/Users`,
          setupRequest: (r) => ({ ...r, body: JSON.stringify(newUser(created('c50'))) }),
        },
      ],
    });
    await reads('after ANALYZE');
    await scenario('PATCH /Users/{id} (replace title)', {
      url: stack.scimBase,
      headers,
      requests: [
        {
          method: 'PATCH',
          setupRequest: (r) => ({
            ...r,
            path: `${base}/Users/${ids[random(ids.length) - 1]}`,
            body: JSON.stringify({
              schemas: [PATCH_OP],
              Operations: [{ op: 'Replace', path: 'title', value: `T${counter++}` }],
            }),
          }),
        },
      ],
    });
    await scenario('Entra-like cycle (filter → create when absent → patch)', {
      url: stack.scimBase,
      headers,
      requests: [
        {
          method: 'GET',
          setupRequest: (r, ctx: object) => {
            const context = ctx as Cycle;
            context.userName = created('cycle');
            return { ...r, path: filterPath(base, context.userName) };
          },
        },
        {
          method: 'POST',
          path: `${base}/Users`,
          setupRequest: (r, ctx: object) => ({
            ...r,
            body: JSON.stringify(newUser((ctx as Cycle).userName)),
          }),
          onResponse: (_status, body, ctx: object) => {
            (ctx as Cycle).id = JSON.parse(body).id;
          },
        },
        {
          method: 'PATCH',
          setupRequest: (r, ctx: object) => ({
            ...r,
            path: `${base}/Users/${(ctx as Cycle).id}`,
            body: JSON.stringify({
              schemas: [PATCH_OP],
              Operations: [{ op: 'Replace', path: 'active', value: 'False' }],
            }),
          }),
        },
      ],
    });

    await provisioningDrained(stack);
    const checks = await checkSample(stack, base);
    const tokenCheck = await measureTokenCheck();
    printResults('SCIM gateway benchmark (npm run bench:scim)', results, [
      `correctness: ${checks.checked} sampled answers checked, ${checks.wrong} wrong`,
      `token check (cached, in-process): ${tokenCheck.toFixed(4)} ms per request`,
    ]);
  } finally {
    await stack.stop();
  }
}

/** Reads back a sample of what the scenarios wrote, through the gateway, and compares. */
async function checkSample(stack: BenchStack, base: string): Promise<{ checked: number; wrong: number }> {
  const rows = (
    await stack.db.query(
      `SELECT user_name, active, document->>'title' AS title FROM subjects
        WHERE tenant_id = $1 AND (user_name LIKE 'c50-%' OR user_name LIKE 'cycle-%' OR document ? 'title')
        ORDER BY random() LIMIT 60`,
      [stack.tenantId],
    )
  ).rows as Array<{ user_name: string; active: boolean; title: string | null }>;
  let wrong = 0;
  for (const row of rows) {
    const res = await fetch(`${stack.gateway.url}${filterPath(base, row.user_name.toUpperCase())}`, {
      headers: { authorization: `Bearer ${stack.scimToken}` },
    });
    const body = (await res.json()) as { totalResults: number; Resources: Array<Record<string, unknown>> };
    const user = body.Resources[0];
    const ok =
      res.status === 200 &&
      body.totalResults === 1 &&
      user?.userName === row.user_name &&
      user?.active === row.active &&
      (user?.title ?? null) === row.title;
    if (!ok) wrong++;
  }
  return { checked: rows.length, wrong };
}

/** The gateway's token check on a cache hit: digest + cache + expiry, as ScimAuthGuard runs it. */
async function measureTokenCheck(): Promise<number> {
  const token = `scim_${randomBytes(32).toString('base64url')}`;
  const digest = digestBearerSecret(token);
  const principal = {
    tokenId: 'tok',
    tenantId: 'tenant',
    identityProviderId: 'idp',
    provider: 'entra',
    expiresAt: Date.now() + 3_600_000,
  };
  const tokens = {
    findPrincipal: async (presented: string) => (presented === digest ? principal : undefined),
    recordUse: async () => undefined,
  };
  // The cache is trusted only while revocations are heard: a subscriber that is connected.
  const subscriber = Object.assign(new EventEmitter(), {
    subscribe: async () => 3,
    disconnect: () => undefined,
  });
  const redis = { duplicate: () => subscriber };
  const config = Object.assign(new ScimGatewayConfig(), { SCIM_TOKEN_CACHE_TTL_MS: 60_000 });
  const verifier = new ScimTokenVerifier(tokens as never, redis as never, config);
  verifier.onModuleInit();
  subscriber.emit('ready');
  await new Promise((resolve) => setImmediate(resolve));
  await verifier.authenticate(token);
  const rounds = 200_000;
  const start = performance.now();
  for (let i = 0; i < rounds; i++) await verifier.authenticate(token);
  const perCheck = (performance.now() - start) / rounds;
  await verifier.onApplicationShutdown();
  return perCheck;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
