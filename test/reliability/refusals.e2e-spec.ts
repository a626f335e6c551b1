import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { http, ScimStack, startScimStack } from '@test/support';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const uniqueName = (label: string) => `${label}-${randomUUID().slice(0, 8)}@contoso.com`;
const user = (userName: string, extra: Record<string, unknown> = {}) => ({
  schemas: [USER],
  userName,
  active: true,
  ...extra,
});

/** Every input ends in a deliberate answer: a refusal is a 4xx at once, never a 500 or a 503 after a timeout. */
describe('refusals: bad input gets a deliberate answer', () => {
  let s: ScimStack;
  beforeAll(async () => {
    // A short command timeout: a refusal treated as a fault would show up as a 503 here.
    s = await startScimStack({ gatewayEnv: { SCIM_COMMAND_TIMEOUT_MS: '3000' } });
  });
  afterAll(() => s.close());

  it.each([
    ['a NUL in displayName', { displayName: 'a\u0000b' }, 'displayName'],
    ['a NUL in an extension attribute', { [ENTERPRISE]: { department: 'x\u0000' } }, 'department'],
    ['a userName of several KB', { userName: 'u'.repeat(5000) }, 'userName'],
    ['an externalId of several KB', { externalId: 'e'.repeat(5000) }, 'externalId'],
    ['a displayName of several KB', { displayName: 'd'.repeat(5000) }, 'displayName'],
  ])('POST /Users with %s → 400 invalidValue naming the attribute', async (_, extra, attribute) => {
    const started = Date.now();
    const res = await s.scim('POST', '/Users', user(uniqueName('bad'), extra));
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ status: '400', scimType: 'invalidValue' });
    expect(res.body.detail).toContain(attribute);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('PATCH that would set a NUL or an over-long value → 400 before anything is queued', async () => {
    const created = await s.scim('POST', '/Users', user(uniqueName('patch')));
    expect(created.status).toBe(201);
    for (const value of ['a\u0000b', 'x'.repeat(5000)]) {
      const res = await s.scim('PATCH', `/Users/${created.body.id}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'replace', path: 'displayName', value }],
      });
      expect(res.status).toBe(400);
      expect(res.body.scimType).toBe('invalidValue');
      expect(res.body.detail).toContain('displayName');
    }
  });

  it('a group displayName of several KB → 400 invalidValue', async () => {
    const res = await s.scim('POST', '/Groups', { schemas: [GROUP], displayName: 'g'.repeat(5000) });
    expect(res.status).toBe(400);
    expect(res.body.detail).toContain('displayName');
  });

  it.each([
    ['startIndex=1e20', '/Users?startIndex=100000000000000000000'],
    ['startIndex=1e400', '/Users?startIndex=1e400'],
    ['a date compared with a non-date', `/Users?filter=${encodeURIComponent('meta.created gt "1"')}`],
    ['a date compared with a number', `/Users?filter=${encodeURIComponent('meta.lastModified gt 5')}`],
  ])('GET %s → 400, not 500', async (_, path) => {
    const res = await s.scim('GET', path);
    expect(res.status).toBe(400);
    expect(res.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
  });

  it('admin API: offset=1e20 → 400 naming the field', async () => {
    const res = await http(s.iam.url, 'GET', '/v1/subjects?offset=100000000000000000000', {
      token: s.platformToken,
      tenantId: s.tenantId,
    });
    expect(res.status).toBe(400);
    expect(res.text).toContain('offset');
  });

  it('admin API: DELETE with Content-Type: application/json and an empty body is accepted', async () => {
    const created = await http(s.iam.url, 'POST', '/v1/scim', {
      token: s.platformToken,
      tenantId: s.tenantId,
      body: { provider: s.provider, providerDisplayName: 'Entra ID' },
    });
    expect(created.status).toBe(201);
    const res = await http(s.iam.url, 'DELETE', `/v1/scim/${created.body.id}`, {
      token: s.platformToken,
      tenantId: s.tenantId,
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(204);
  });
});

describe('conformance: extension paths, service-root endpoints, empty groups', () => {
  let s: ScimStack;
  beforeAll(async () => {
    s = await startScimStack();
  });
  afterAll(() => s.close());

  it('PATCH with a path that is a whole extension URN adds, replaces and removes that extension', async () => {
    const created = await s.scim('POST', '/Users', user(uniqueName('ext')));
    const id = created.body.id as string;
    const patch = (op: string, value?: unknown) =>
      s.scim('PATCH', `/Users/${id}`, {
        schemas: [PATCH_OP],
        Operations: [{ op, path: ENTERPRISE, ...(value === undefined ? {} : { value }) }],
      });

    expect((await patch('add', { department: 'Sales' })).status).toBe(200);
    let read = await s.scim('GET', `/Users/${id}`);
    expect(read.body[ENTERPRISE]).toEqual({ department: 'Sales' });
    expect(read.body.schemas).toEqual([USER, ENTERPRISE]);
    expect(read.body['urn:ietf:params:scim:schemas:extension:enterprise:2.0']).toBeUndefined();

    expect((await patch('add', { costCenter: 'C1' })).status).toBe(200);
    read = await s.scim('GET', `/Users/${id}`);
    expect(read.body[ENTERPRISE]).toEqual({ department: 'Sales', costCenter: 'C1' });

    expect((await patch('replace', { division: 'D' })).status).toBe(200);
    read = await s.scim('GET', `/Users/${id}`);
    expect(read.body[ENTERPRISE]).toEqual({ division: 'D' });

    expect((await patch('remove')).status).toBe(200);
    read = await s.scim('GET', `/Users/${id}`);
    expect(read.body[ENTERPRISE]).toBeUndefined();
    expect(read.body.schemas).toEqual([USER]);
  });

  it('a PATCH path that names nothing is 400 invalidPath', async () => {
    const created = await s.scim('POST', '/Users', user(uniqueName('nopath')));
    const res = await s.scim('PATCH', `/Users/${created.body.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'add', path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0', value: {} }],
    });
    expect(res.status).toBe(400);
    expect(res.body.scimType).toBe('invalidPath');
  });

  it('POST /.search and GET / at the service root answer 501, as ServiceProviderConfig says', async () => {
    for (const [method, path] of [
      ['POST', '/.search'],
      ['GET', ''],
    ] as const) {
      const res = await s.scim(method, `${s.base}${path}`, method === 'POST' ? {} : undefined);
      expect(res.status).toBe(501);
      expect(res.body).toMatchObject({
        schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
        status: '501',
      });
    }
  });

  it('a group whose members were all removed omits members', async () => {
    const member = await s.scim('POST', '/Users', user(uniqueName('member')));
    const group = await s.scim('POST', '/Groups', {
      schemas: [GROUP],
      displayName: `g-${randomUUID().slice(0, 8)}`,
      members: [{ value: member.body.id }],
    });
    expect(group.body.members).toHaveLength(1);
    const removed = await s.scim('PATCH', `/Groups/${group.body.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'remove', path: 'members' }],
    });
    expect(removed.status).toBe(204);
    const read = await s.scim('GET', `/Groups/${group.body.id}`);
    expect(read.body).not.toHaveProperty('members');
  });
});

describe('the worker: database refusals are answered, poison commands set aside', () => {
  let s: ScimStack;
  let db: DataSource;
  beforeAll(async () => {
    s = await startScimStack({
      iamEnv: { PROVISIONING_POISON_ATTEMPTS: '2' },
      gatewayEnv: { SCIM_COMMAND_TIMEOUT_MS: '5000' },
    });
    db = await new DataSource({ type: 'postgres', url: s.iam.env.DATABASE_URL }).initialize();
    // Stand-ins for what the normaliser cannot foresee: a data exception (class 22) and an error of no known class.
    await db.query(`
      CREATE OR REPLACE FUNCTION test_refuse_or_poison() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.user_name LIKE 'refused-%' THEN RAISE EXCEPTION 'bad value' USING ERRCODE = '22023'; END IF;
        IF NEW.user_name LIKE 'poison-%' THEN RAISE EXCEPTION 'something nobody planned for'; END IF;
        RETURN NEW;
      END $$`);
    await db.query(`DROP TRIGGER IF EXISTS test_refuse_or_poison ON subjects`);
    await db.query(
      `CREATE TRIGGER test_refuse_or_poison BEFORE INSERT ON subjects FOR EACH ROW EXECUTE FUNCTION test_refuse_or_poison()`,
    );
  });
  afterAll(async () => {
    await db.query(`DROP TRIGGER IF EXISTS test_refuse_or_poison ON subjects`);
    await db.destroy();
    await s.close();
  });

  it('a class 22 database error is a 400 invalidValue at once, not a 503 retried for days', async () => {
    const started = Date.now();
    const res = await s.scim('POST', '/Users', user(uniqueName('refused')));
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ scimType: 'invalidValue' });
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('a command failing for an unknown reason is set aside: a final 500 with a correlation id, listed for operators', async () => {
    const res = await s.scim('POST', '/Users', user(uniqueName('poison')));
    expect(res.status).toBe(500);
    const correlationId = /correlation id ([0-9a-f-]{36})/.exec(res.body.detail)?.[1];
    expect(correlationId).toBeDefined();
    const letters = await http(s.iam.url, 'GET', '/v1/provisioning/dead-letters', {
      token: s.platformToken,
      tenantId: s.tenantId,
    });
    expect(letters.status).toBe(200);
    expect(letters.body.items).toEqual([
      expect.objectContaining({ id: correlationId, command: 'create-user', attempts: 2 }),
    ]);
    expect(letters.body.items[0].error).toContain('something nobody planned for');
  });
});
