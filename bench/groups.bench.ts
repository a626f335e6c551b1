// `npm run bench:groups`: Group membership at enterprise scale against the real stack: a group of
// 100,000 members, member deltas through the queue, reads that must not touch the member list.
import 'reflect-metadata';
import { performance } from 'node:perf_hooks';
import { printResults, rssMiB, runScenario, ScenarioResult, startBenchStack } from './harness';

const MEMBERS = Number(process.env.BENCH_GROUP_MEMBERS ?? 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 30);
const BATCH = 1000;
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';

async function main(): Promise<void> {
  const stack = await startBenchStack();
  try {
    const extra = ROUNDS * BATCH + ROUNDS;
    console.log(`seeding ${MEMBERS + extra} users and a group of ${MEMBERS} members …`);
    const ids: string[] = (
      await stack.db.query(
        `INSERT INTO subjects (tenant_id, user_name, display_name, active, document, provider, source, version)
         SELECT $1, 'm-' || g || '@contoso.com', 'Member ' || g, true,
                jsonb_build_object('schemas', jsonb_build_array('urn:ietf:params:scim:schemas:core:2.0:User'), 'userName', 'm-' || g || '@contoso.com'),
                'entra', 'scim', 1
           FROM generate_series(1, $2) g RETURNING id`,
        [stack.tenantId, MEMBERS + extra],
      )
    ).rows.map((r: { id: string }) => r.id);
    const scim = (method: string, path: string, body?: unknown) =>
      fetch(`${stack.scimBase}${path}`, {
        method,
        headers: { authorization: `Bearer ${stack.scimToken}`, 'content-type': 'application/scim+json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const big = (await (
      await scim('POST', '/Groups', { schemas: [GROUP], displayName: 'Everyone', members: [] })
    ).json()) as { id: string };
    const small = (await (
      await scim('POST', '/Groups', { schemas: [GROUP], displayName: 'Small', members: [{ value: ids[0] }] })
    ).json()) as { id: string };
    for (let i = 0; i < 100; i++)
      await scim('POST', '/Groups', { schemas: [GROUP], displayName: `Team ${i}`, members: [] });
    await stack.db.query(
      `INSERT INTO group_members (group_id, subject_id, tenant_id) SELECT $1, unnest($2::uuid[]), $3`,
      [big.id, ids.slice(0, MEMBERS), stack.tenantId],
    );
    await stack.db.query('ANALYZE');
    const rssBefore = { iam: rssMiB(stack.iam.process.pid!), gateway: rssMiB(stack.gateway.process.pid!) };

    const adds = await timed(ROUNDS, async (round) => {
      const start = MEMBERS + round * BATCH;
      const batch = ids.slice(start, start + BATCH).map((value) => ({ value }));
      return scim('PATCH', `/Groups/${big.id}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'Add', path: 'members', value: batch }],
      });
    });
    const removes = await timed(ROUNDS, (round) =>
      scim('PATCH', `/Groups/${big.id}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'Remove', path: 'members', value: [{ value: ids[round] }] }],
      }),
    );
    const removesByFilter = await timed(ROUNDS, (round) =>
      scim('PATCH', `/Groups/${big.id}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'remove', path: `members[value eq "${ids[ROUNDS + round]}"]` }],
      }),
    );
    const rssAfter = { iam: rssMiB(stack.iam.process.pid!), gateway: rssMiB(stack.gateway.process.pid!) };
    const [{ n: finalMembers }] = (
      await stack.db.query(`SELECT count(*)::int AS n FROM group_members WHERE group_id = $1`, [big.id])
    ).rows;
    const expected = MEMBERS + ROUNDS * BATCH - 2 * ROUNDS;

    const base = new URL(stack.scimBase).pathname;
    const headers = { authorization: `Bearer ${stack.scimToken}` };
    const reads: ScenarioResult[] = [];
    // The first reads after the deltas used to pay for them (dirty pages written back, a read path
    // not yet optimised by V8), which made the 100,000-member group look slower: the same query
    // reads the same 2 buffers for either group. Write back, warm both up, then measure.
    await stack.db.query('CHECKPOINT');
    await runScenario('warm-up', {
      url: stack.scimBase,
      headers,
      duration: 2,
      requests: [big.id, small.id].map((id) => ({
        method: 'GET',
        path: `${base}/Groups/${id}?excludedAttributes=members`,
      })),
    });
    for (const [label, id] of [
      [`${MEMBERS}-member group`, big.id],
      ['1-member group', small.id],
    ] as const) {
      reads.push(
        await runScenario(`GET /Groups/{id}?excludedAttributes=members (${label})`, {
          url: stack.scimBase,
          headers,
          requests: [{ method: 'GET', path: `${base}/Groups/${id}?excludedAttributes=members` }],
        }),
      );
    }
    reads.push(
      await runScenario('GET /Groups?filter=displayName eq … &excludedAttributes=members', {
        url: stack.scimBase,
        headers,
        requests: [
          {
            method: 'GET',
            path: `${base}/Groups?filter=${encodeURIComponent('displayName eq "Everyone"')}&excludedAttributes=members`,
          },
        ],
      }),
    );

    console.log(`\n## Group membership benchmark (npm run bench:groups)\n`);
    console.log(
      `group of ${MEMBERS} members; ${ROUNDS} rounds each, one request at a time, end-to-end (gateway → queue → IAM → PostgreSQL → answer)\n`,
    );
    console.log('| operation | p50 ms | p90 ms | max ms | non-204 |');
    console.log('|---|---|---|---|---|');
    for (const [name, t] of [
      [`PATCH add ${BATCH} members`, adds],
      ['PATCH remove 1 member (value list)', removes],
      ['PATCH remove 1 member (members[value eq])', removesByFilter],
    ] as const) {
      console.log(
        `| ${name} | ${t.p50.toFixed(1)} | ${t.p90.toFixed(1)} | ${t.max.toFixed(1)} | ${t.failures} |`,
      );
    }
    console.log(
      `\nmembers at the end: ${finalMembers} (expected ${expected}) ${finalMembers === expected ? 'ok' : 'WRONG'}`,
    );
    console.log(
      `resident memory: iam-admin ${rssBefore.iam} → ${rssAfter.iam} MiB, scim-gateway ${rssBefore.gateway} → ${rssAfter.gateway} MiB`,
    );
    printResults('Group reads that must not read the member list', reads);
  } finally {
    await stack.stop();
  }
}

/** Runs `rounds` requests one after another; latency percentiles in ms and the count of non-204 answers. */
async function timed(
  rounds: number,
  request: (round: number) => Promise<Response>,
): Promise<{ p50: number; p90: number; max: number; failures: number }> {
  const times: number[] = [];
  let failures = 0;
  for (let round = 0; round < rounds; round++) {
    const start = performance.now();
    const res = await request(round);
    await res.arrayBuffer();
    times.push(performance.now() - start);
    if (res.status !== 204) failures++;
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!;
  return { p50: at(0.5), p90: at(0.9), max: times.at(-1)!, failures };
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
