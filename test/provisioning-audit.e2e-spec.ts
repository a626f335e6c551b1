import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import {
  createTenant,
  http,
  HttpResult,
  issueAdminToken,
  ScimStack,
  startScimStack,
  withTenant,
} from '@test/support';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const patchOps = (...Operations: unknown[]) => ({ schemas: [PATCH_OP], Operations });

/** Seed 004: "use the Audit logs tab to monitor progress, which shows all actions performed by the provisioning service". */
describe('provisioning audit log: GET /v1/audit/provisioning', () => {
  let s: ScimStack;
  let other: ScimStack;
  let db: DataSource;
  const run = randomUUID().slice(0, 8);
  const alice = `alice-${run}@contoso.com`;
  const bob = `bob-${run}@contoso.com`;
  const groupName = `Engineering ${run}`;
  let aliceId: string;
  let bobId: string;
  let groupId: string;
  let startedAt: string;

  const audit = (stack: ScimStack, query = ''): Promise<HttpResult> =>
    http(stack.iam.url, 'GET', `/v1/audit/provisioning${query}`, {
      token: stack.platformToken,
      tenantId: stack.tenantId,
    });
  const items = async (query: string) => {
    const res = await audit(s, query);
    expect(res.status).toBe(200);
    return res.body.items as Array<Record<string, any>>;
  };

  beforeAll(async () => {
    s = await startScimStack({
      iamEnv: { PROVISIONING_POISON_ATTEMPTS: '2', RETENTION_INTERVAL_MS: '0' },
      gatewayEnv: { SCIM_COMMAND_TIMEOUT_MS: '5000' },
    });
    other = await withTenant(s.iam, s.gateway, s.platformToken, await createTenant(s.iam, s.platformToken));
    db = await new DataSource({ type: 'postgres', url: s.iam.env.DATABASE_URL }).initialize();
    // A stand-in for a command failing for a reason nobody planned for: it becomes a dead letter.
    await db.query(`
      CREATE OR REPLACE FUNCTION test_audit_poison() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.user_name LIKE 'poison-%' THEN RAISE EXCEPTION 'something nobody planned for'; END IF;
        RETURN NEW;
      END $$`);
    await db.query(
      `CREATE TRIGGER test_audit_poison BEFORE INSERT ON subjects FOR EACH ROW EXECUTE FUNCTION test_audit_poison()`,
    );

    startedAt = new Date().toISOString();
    const created = await s.scim('POST', '/Users', {
      schemas: [USER],
      userName: alice,
      displayName: 'Alice',
    });
    expect(created.status).toBe(201);
    aliceId = created.body.id;
    bobId = (await s.scim('POST', '/Users', { schemas: [USER], userName: bob })).body.id;
    const patched = await s.scim(
      'PATCH',
      `/Users/${aliceId}`,
      patchOps({ op: 'replace', path: 'displayName', value: 'Alice A.' }),
    );
    expect(patched.status).toBe(200);
    const duplicate = await s.scim('POST', '/Users', { schemas: [USER], userName: alice.toUpperCase() });
    expect(duplicate.status).toBe(409);
    const invalid = await s.scim(
      'PATCH',
      `/Users/${aliceId}`,
      patchOps({ op: 'replace', path: 'active', value: 'maybe' }),
    );
    expect(invalid.status).toBe(400);
    const group = await s.scim('POST', '/Groups', { schemas: [GROUP], displayName: groupName });
    expect(group.status).toBe(201);
    groupId = group.body.id;
    const added = await s.scim(
      'PATCH',
      `/Groups/${groupId}`,
      patchOps({ op: 'add', path: 'members', value: [{ value: aliceId }] }),
    );
    expect([200, 204]).toContain(added.status);
    const poison = await s.scim('POST', '/Users', { schemas: [USER], userName: `poison-${run}@contoso.com` });
    expect(poison.status).toBe(500);
  });
  afterAll(async () => {
    await db?.query(`DROP TRIGGER IF EXISTS test_audit_poison ON subjects`);
    await db?.destroy();
    await s?.close();
  });

  it('lists every command, newest first, with source, token, provider and duration', async () => {
    const all = await items('');
    expect(all.map((e) => [e.operation, e.resourceType, e.outcome, e.status])).toEqual([
      ['create', 'User', 'failed', 500],
      ['patch', 'Group', 'success', 200],
      ['create', 'Group', 'success', 201],
      ['patch', 'User', 'refused', 400],
      ['create', 'User', 'refused', 409],
      ['patch', 'User', 'success', 200],
      ['create', 'User', 'success', 201],
      ['create', 'User', 'success', 201],
    ]);
    for (const entry of all) {
      expect(entry).toMatchObject({
        source: 'scim',
        scimTokenId: s.scimTokenId,
        provider: s.provider,
        actor: null,
      });
      expect(entry.commandId).toMatch(/^[0-9a-f-]{36}$/);
      expect(entry.durationMs).toBeGreaterThanOrEqual(0);
      expect(entry.durationMs).toBeLessThan(10_000);
      expect(Date.parse(entry.occurredAt)).toBeGreaterThanOrEqual(Date.parse(startedAt));
    }
  });

  it('names the resource and the attributes changed, never their values', async () => {
    const [patch, create] = await items(`?subjectId=${aliceId}&outcome=success`);
    expect(create).toMatchObject({
      operation: 'create',
      resourceId: aliceId,
      userName: alice,
      changedAttributes: expect.arrayContaining(['userName', 'displayName']),
      scimType: null,
      message: null,
    });
    expect(patch).toMatchObject({ operation: 'patch', userName: alice, changedAttributes: ['displayName'] });
    expect(JSON.stringify(patch)).not.toContain('Alice A.');
    const [memberAdded, groupCreated] = await items(`?resourceType=Group`);
    expect(groupCreated).toMatchObject({
      resourceId: groupId,
      userName: groupName,
      changedAttributes: ['displayName'],
    });
    expect(memberAdded).toMatchObject({
      operation: 'patch',
      userName: groupName,
      changedAttributes: ['members'],
    });
  });

  it('shows refusals with status, scimType and message: a duplicate userName and an invalid value', async () => {
    const refused = await items('?outcome=refused');
    expect(refused).toEqual([
      expect.objectContaining({
        operation: 'patch',
        resourceId: aliceId,
        userName: alice, // from the subject's row
        status: 400,
        scimType: 'invalidValue',
        message: expect.stringContaining('active'),
        changedAttributes: [],
      }),
      expect.objectContaining({
        operation: 'create',
        resourceId: null,
        userName: alice.toUpperCase(), // from the refused command
        status: 409,
        scimType: 'uniqueness',
        message: expect.stringContaining('userName is already taken'),
      }),
    ]);
  });

  it('shows a poison command as failed, with the dead letter’s correlation id', async () => {
    const [failed] = await items('?outcome=failed');
    const letters = await http(s.iam.url, 'GET', '/v1/provisioning/dead-letters', {
      token: s.platformToken,
      tenantId: s.tenantId,
    });
    expect(failed).toMatchObject({ operation: 'create', status: 500, userName: `poison-${run}@contoso.com` });
    expect(failed.message).toContain(`correlation id ${letters.body.items[0].id}`);
  });

  it('filters by userName (case-insensitive, exact), operation, resource type, source and time', async () => {
    expect((await items(`?userName=${encodeURIComponent(alice.toUpperCase())}`)).length).toBe(4);
    expect((await items(`?userName=${encodeURIComponent(bob)}`)).map((e) => e.resourceId)).toEqual([bobId]);
    expect((await items(`?userName=${encodeURIComponent(bob.slice(0, 5))}`)).length).toBe(0);
    expect((await items('?operation=patch')).map((e) => e.resourceType)).toEqual(['Group', 'User', 'User']);
    expect((await items('?operation=create&resourceType=User&outcome=success')).length).toBe(2);
    expect((await items('?source=scim')).length).toBe(8);
    expect((await items('?source=admin')).length).toBe(0);
    const all = await items('');
    const middle = all[4].occurredAt as string;
    const after = await items(`?from=${encodeURIComponent(middle)}`);
    expect(after.map((e) => e.id)).toEqual(all.slice(0, 5).map((e) => e.id));
    const before = await items(`?to=${encodeURIComponent(middle)}`);
    expect(before.map((e) => e.id)).toEqual(all.slice(5).map((e) => e.id));
    expect(await items(`?from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).toEqual(
      [],
    );
  });

  it('pages newest first with an opaque cursor, stable while new entries arrive', async () => {
    const all = await items('');
    const first = await audit(s, '?limit=3');
    expect(first.body.items.map((e: { id: string }) => e.id)).toEqual(all.slice(0, 3).map((e) => e.id));
    expect(first.body.nextCursor).toEqual(expect.any(String));
    // A new command lands between two pages: the next page neither repeats nor skips anything.
    expect((await s.scim('DELETE', `/Users/${bobId}`)).status).toBe(204);
    const pages = [first.body.items];
    for (let cursor = first.body.nextCursor; cursor;) {
      const page = await audit(s, `?limit=3&cursor=${encodeURIComponent(cursor)}`);
      expect(page.status).toBe(200);
      pages.push(page.body.items);
      cursor = page.body.nextCursor;
    }
    expect(pages.flat().map((e: { id: string }) => e.id)).toEqual(all.map((e) => e.id));
    const [deleted] = await items(`?subjectId=${bobId}&operation=delete`);
    // The deprovisioned subject keeps its row: the entry names it.
    expect(deleted).toMatchObject({ outcome: 'success', status: 204, userName: bob, changedAttributes: [] });
  });

  it('keeps tenants apart: another tenant sees none of these entries', async () => {
    const res = await audit(other);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ items: [], limit: 100, nextCursor: null });
    const byId = await audit(other, `?subjectId=${aliceId}`);
    expect(byId.body.items).toEqual([]);
    const tenantToken = await issueAdminToken(s.iam, ['iam:admin'], other.tenantId);
    const own = await http(s.iam.url, 'GET', '/v1/audit/provisioning', { token: tenantToken });
    expect(own.status).toBe(200);
    expect(own.body.items).toEqual([]);
    // A tenant-bound token may not name another tenant.
    const foreign = await http(s.iam.url, 'GET', '/v1/audit/provisioning', {
      token: tenantToken,
      tenantId: s.tenantId,
    });
    expect(foreign.status).toBe(403);
  });

  it('needs an admin token', async () => {
    expect((await http(s.iam.url, 'GET', '/v1/audit/provisioning')).status).toBe(401);
  });

  it.each([
    ['from', '?from=yesterday'],
    ['to', '?to=2025-13-01T00:00:00Z'],
    ['subjectId', '?subjectId=not-an-id'],
    ['outcome', '?outcome=skipped'],
    ['operation', '?operation=upsert'],
    ['resourceType', '?resourceType=Device'],
    ['source', '?source=ldap'],
    ['limit', '?limit=0'],
    ['limit', '?limit=501'],
    ['userName', `?userName=${encodeURIComponent('a\u0000b')}`],
    ['cursor', '?cursor=bm90LWEtY3Vyc29y'],
    [
      'cursor',
      `?cursor=${Buffer.from(JSON.stringify(['2025-01-01T00:00:00.000Z', '1; DROP'])).toString('base64url')}`,
    ],
  ])('a malformed %s is a 400 naming it (%s)', async (field, query) => {
    const res = await audit(s, query);
    expect(res.status).toBe(400);
    expect(res.body.message).toContain(field);
  });
});
