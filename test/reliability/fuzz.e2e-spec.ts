import { Queue } from 'bullmq';
import fc from 'fast-check';
import { QueueName } from '@app/contracts';
import { redisConnection } from '@app/platform';
import { createTenant, ScimStack, startScimStack } from '@test/support';

/*
 * Random and mutated input against the real stack (both apps, PostgreSQL, Redis). Entra retries anything that is not
 * a clear answer, for days, so every input must end in a deliberate one: never a 5xx (both dependencies are up here,
 * so not even a 503), never slower than the command timeout, and never a provisioning job retried for what is a
 * refusal. `npm test` runs a few cases per property; `npm run fuzz` (FUZZ_RUNS, default 2000) many more.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 25);
const COMMAND_TIMEOUT_MS = 3000;
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

let s: ScimStack;
let queue: Queue;
let userId: string;
let groupId: string;
let fuzzTenantId: string;

beforeAll(async () => {
  s = await startScimStack({ gatewayEnv: { SCIM_COMMAND_TIMEOUT_MS: String(COMMAND_TIMEOUT_MS) } });
  queue = new Queue(QueueName.ProvisioningCommands, {
    connection: redisConnection(s.iam.env.REDIS_URL),
    prefix: s.iam.env.QUEUE_PREFIX,
  });
  userId = (await s.scim('POST', '/Users', { schemas: [USER], userName: 'fuzz-target@contoso.com' })).body.id;
  groupId = (await s.scim('POST', '/Groups', { schemas: [GROUP], displayName: 'fuzz target' })).body.id;
  fuzzTenantId = await createTenant(s.iam, s.platformToken, 'fuzz');
}, 60_000);

afterAll(async () => {
  await queue?.close();
  await s?.close();
});

interface Answer {
  status: number;
  ms: number;
  text: string;
}

/** One request, raw: the body is sent as the fuzzer made it (a string is sent as is, anything else as JSON). */
async function send(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<Answer> {
  const started = Date.now();
  const res = await fetch(base + path, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(COMMAND_TIMEOUT_MS + 5000),
  });
  const text = await res.text();
  return { status: res.status, ms: Date.now() - started, text };
}

const scim = (method: string, path: string, body?: unknown) =>
  send(
    s.gateway.url,
    method,
    `${s.base}${path}`,
    {
      authorization: `Bearer ${s.scimToken}`,
      ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }),
    },
    body,
  );

const admin = (method: string, path: string, body?: unknown, tenantId?: string) =>
  send(
    s.iam.url,
    method,
    path,
    {
      authorization: `Bearer ${s.platformToken}`,
      ...(tenantId ? { 'x-tenant-id': tenantId } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body,
  );

/**
 * Provisioning jobs waiting for a retry once the queue is idle: commands the worker took for a transient fault. Removed
 * once seen, so the next case starts clean and is not blamed for them.
 */
async function takeRetriedJobs(): Promise<Array<{ name: string; failedReason: string }>> {
  const retried: Array<{ name: string; failedReason: string }> = [];
  for (const until = Date.now() + 2000; ;) {
    for (const job of await queue.getJobs(['delayed'])) {
      retried.push({ name: job.name, failedReason: job.failedReason });
      await job.remove().catch(() => undefined);
    }
    if ((await queue.getJobCountByTypes('active', 'wait')) === 0 || Date.now() > until) return retried;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The property every answer must hold: deliberate (no 5xx), in time, and no refusal retried. */
async function expectDeliberate(answer: Answer): Promise<void> {
  const detail = `${answer.status} after ${answer.ms} ms: ${answer.text.slice(0, 300)}`;
  const retried = await takeRetriedJobs();
  expect({
    deliberate: answer.status < 500,
    inTime: answer.ms < COMMAND_TIMEOUT_MS,
    retried,
    detail,
  }).toEqual({
    deliberate: true,
    inTime: true,
    retried: [],
    detail,
  });
}

const property = <T>(arbitrary: fc.Arbitrary<T>, request: (value: T) => Promise<Answer>) =>
  fc.assert(
    fc.asyncProperty(arbitrary, async (value) => expectDeliberate(await request(value))),
    { numRuns: RUNS },
  );

// --- generators -------------------------------------------------------------------------------------------------

/** Strings a SCIM client may send by mistake or malice: any code point (NUL, lone surrogates), several KB, empty. */
const nastyString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom('', ' ', '\u0000', 'a\u0000b', '\ud800', '%00', '"', '\\', "'; DROP TABLE subjects;--"),
  fc.integer({ min: 2_000, max: 12_000 }).map((n) => 'x'.repeat(n)),
  fc.integer({ min: 700, max: 3_000 }).map((n) => '\u00e9\u4e2d'.repeat(n)),
);
const anyJson = fc.jsonValue({ maxDepth: 3 });
const scalarOrNasty = fc.oneof(nastyString, anyJson);

/** A valid user with one to three attributes replaced by nasty values, unknown ones or whole-body junk. */
const userAttribute = fc.oneof(
  fc.constantFrom(
    'userName',
    'externalId',
    'displayName',
    'nickName',
    'title',
    'active',
    'name',
    'emails',
    'phoneNumbers',
    'schemas',
    ENTERPRISE,
    'urn:ietf:params:scim:schemas:extension:custom:2.0:User',
  ),
  nastyString,
);
const attributeValue = fc.oneof(
  scalarOrNasty,
  fc.array(fc.record({ value: scalarOrNasty, type: scalarOrNasty, primary: fc.boolean() }), { maxLength: 3 }),
  fc.record({ givenName: scalarOrNasty, department: scalarOrNasty, manager: anyJson }, { requiredKeys: [] }),
);
const mutatedUser = fc
  .tuple(
    fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 12 }),
    fc.array(fc.tuple(userAttribute, attributeValue), { minLength: 1, maxLength: 3 }),
  )
  .map(([name, changes]) => ({
    schemas: [USER, ENTERPRISE],
    userName: `fuzz-${encodeURIComponent(name)}-${Math.random().toString(36).slice(2, 8)}@contoso.com`,
    displayName: 'Fuzz',
    active: true,
    emails: [{ value: 'fuzz@contoso.com', type: 'work', primary: true }],
    ...Object.fromEntries(changes),
  }));

/** A path segment: any string, percent-encoded, or malformed percent-encoding (invalid UTF-8, NUL, a lone %). */
const pathSegment = fc.oneof(
  // Buffer's UTF-8 turns a lone surrogate into U+FFFD, which encodeURIComponent would refuse.
  nastyString.map((v) => encodeURIComponent(Buffer.from(v).toString())),
  fc.constantFrom('%ED%A0%80', '%00', '%FF', '%', '%2e%2e', '..', '%C0%AF'),
);

const userPaths = [
  'displayName',
  'userName',
  'active',
  'externalId',
  'name.givenName',
  'emails',
  'emails[type eq "work"].value',
  'emails[value co "@"]',
  'members',
  'members[value eq "x"]',
  ENTERPRISE,
  `${ENTERPRISE}:department`,
  `${ENTERPRISE}:manager.value`,
  'urn:ietf:params:scim:schemas:extension:unknown:2.0:User',
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0',
  'meta.created',
  'id',
  'schemas',
];
const patchBody = fc.record({
  schemas: fc.oneof(fc.constant([PATCH]), anyJson),
  Operations: fc.oneof(
    fc.array(
      fc.record(
        {
          op: fc.oneof(fc.constantFrom('add', 'replace', 'remove', 'Add', 'REPLACE'), nastyString),
          path: fc.oneof(fc.constantFrom(...userPaths), nastyString),
          value: scalarOrNasty,
        },
        { requiredKeys: ['op'] },
      ),
      { minLength: 1, maxLength: 4 },
    ),
    anyJson,
  ),
});

const attrPath = fc.oneof(
  fc.constantFrom(
    'userName',
    'externalId',
    'displayName',
    'active',
    'id',
    'meta.created',
    'meta.lastModified',
    'emails.value',
    'emails[type eq "work"]',
    'name.givenName',
    'members.value',
    `${ENTERPRISE}:department`,
  ),
  fc.stringMatching(/^[A-Za-z][\w.:$-]{0,20}$/),
);
const compareValue = fc.oneof(
  nastyString.map((v) => JSON.stringify(v)),
  fc.constantFrom(
    '"1"',
    '"2026-01-01T00:00:00Z"',
    'true',
    'false',
    'null',
    '1e400',
    '-0',
    '"\\u0000"',
    '100000000000000000000',
  ),
  fc.double().map(String),
);
const leaf = fc.oneof(
  fc
    .tuple(
      attrPath,
      fc.constantFrom('eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le', 'EQ', 'xx'),
      compareValue,
    )
    .map(([a, op, v]) => `${a} ${op} ${v}`),
  attrPath.map((a) => `${a} pr`),
);
const filter: fc.Arbitrary<string> = fc.oneof(
  leaf,
  fc.tuple(leaf, fc.constantFrom('and', 'or'), leaf).map(([a, op, b]) => `${a} ${op} ${b}`),
  leaf.map((l) => `not (${l})`),
  leaf.map((l) => `((${l})`),
  nastyString,
);

const numberish = fc.oneof(
  fc.integer().map(String),
  fc.double().map(String),
  fc.constantFrom(
    '100000000000000000000',
    '1e20',
    '-1',
    '0',
    '',
    'abc',
    '2147483648',
    '9007199254740993',
    '0x10',
    ' 1',
  ),
  nastyString,
);
const listQuery = fc
  .record(
    {
      startIndex: numberish,
      count: numberish,
      filter,
      sortBy: fc.oneof(attrPath, nastyString),
      sortOrder: fc.oneof(fc.constantFrom('ascending', 'descending'), nastyString),
      attributes: fc.oneof(attrPath, nastyString),
      excludedAttributes: fc.oneof(fc.constantFrom('members', 'emails'), attrPath, nastyString),
    },
    { requiredKeys: [] },
  )
  .map((query) => new URLSearchParams(query as Record<string, string>).toString());

// --- properties -------------------------------------------------------------------------------------------------

describe('fuzz: every input gets a deliberate answer, in time, and no refusal is retried', () => {
  jest.setTimeout(Math.max(120_000, RUNS * 3 * COMMAND_TIMEOUT_MS));

  it('POST /Users with mutated users', () => property(mutatedUser, (user) => scim('POST', '/Users', user)));

  it('POST /Users and /Groups with arbitrary JSON or text bodies', () =>
    property(fc.tuple(fc.constantFrom('/Users', '/Groups'), fc.oneof(anyJson, nastyString)), ([path, body]) =>
      scim('POST', path, body),
    ));

  it('PUT /Users/{id} with mutated users', () =>
    property(mutatedUser, (user) => scim('PUT', `/Users/${userId}`, user)));

  it('PATCH /Users/{id} and /Groups/{id} with random operations', () =>
    property(fc.tuple(fc.boolean(), patchBody), ([onUser, body]) =>
      scim('PATCH', onUser ? `/Users/${userId}` : `/Groups/${groupId}`, body),
    ));

  it('GET /Users and /Groups with random filters and query parameters', () =>
    property(fc.tuple(fc.constantFrom('/Users', '/Groups'), listQuery), ([path, query]) =>
      scim('GET', `${path}?${query}`),
    ));

  it('GET, PATCH and DELETE on random resource ids', () =>
    property(
      fc.tuple(
        fc.constantFrom('GET', 'DELETE', 'PATCH'),
        fc.constantFrom('/Users/', '/Groups/'),
        nastyString,
      ),
      ([method, path, id]) =>
        scim(method, `${path}${id}`, method === 'PATCH' ? { schemas: [PATCH], Operations: [] } : undefined),
    ));

  it('admin bodies: tenants, webhooks, admin tokens and providers', () =>
    property(
      fc.tuple(
        fc.constantFrom(
          ['POST', '/v1/tenants'],
          ['PATCH', `/v1/tenants/{fuzz}`],
          ['POST', '/v1/webhooks'],
          ['POST', '/v1/admin-tokens'],
          ['POST', '/v1/sso/azuread'],
          ['PUT', '/v1/sso/azuread/fuzz'],
        ),
        fc.oneof(anyJson, fc.dictionary(nastyString, scalarOrNasty, { maxKeys: 4 }), nastyString),
      ),
      ([[method, path], body]) =>
        admin(
          method!,
          path!.replace('{fuzz}', fuzzTenantId),
          body,
          path!.startsWith('/v1/tenants') ? undefined : fuzzTenantId,
        ),
    ));

  it('admin lists and deletes with random paging, ids and an empty JSON body', () =>
    property(
      fc.tuple(
        fc.constantFrom(
          '/v1/subjects',
          '/v1/groups',
          '/v1/webhooks',
          '/v1/admin-tokens',
          '/v1/provisioning/dead-letters',
        ),
        numberish,
        numberish,
        pathSegment,
        fc.boolean(),
      ),
      async ([path, offset, limit, id, asDelete]) =>
        asDelete && (path === '/v1/webhooks' || path === '/v1/admin-tokens')
          ? send(
              s.iam.url,
              'DELETE',
              `${path}/${id}`,
              {
                authorization: `Bearer ${s.platformToken}`,
                'x-tenant-id': fuzzTenantId,
                'content-type': 'application/json',
              },
              '',
            )
          : admin('GET', `${path}?${new URLSearchParams({ offset, limit })}`, undefined, fuzzTenantId),
    ));
});
