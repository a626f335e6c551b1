import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { SubjectEvent, SubjectEventType } from '@app/contracts';
import { SubjectEventConsumer } from '@app/events';
import {
  createScratchDatabase,
  createTenant,
  eventually,
  issueAdminToken,
  PLATFORM_PERMISSIONS,
  ScimStack,
  spawnIamAdmin,
  startIamAdmin,
  startScimGateway,
  startScimStack,
  withTenant,
} from '@test/support';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ops = (...Operations: unknown[]) => ({ schemas: [PATCH_OP], Operations });

/** A consumer that collects the events of one tenant. */
function collector(
  redisUrl: string,
  queuePrefix: string,
  tenantId: string,
  group = `test-${randomUUID().slice(0, 8)}`,
) {
  const events: SubjectEvent[] = [];
  const consumer = new SubjectEventConsumer({
    redis: redisUrl,
    queuePrefix,
    group,
    startFrom: '0',
    blockMs: 100,
    handle: async (event) => {
      if (event.tenantId === tenantId) events.push(event);
    },
  });
  return { events, consumer };
}

describe('subject-change events: outbox → Redis Stream → consumers', () => {
  let s: ScimStack;
  beforeAll(async () => {
    s = await startScimStack();
  });
  afterAll(() => s?.close());

  it('publishes every change with type, changed attributes and sequence; two consumers each see all', async () => {
    const a = collector(s.iam.env.REDIS_URL, s.iam.env.QUEUE_PREFIX, s.tenantId, 'billing');
    const b = collector(s.iam.env.REDIS_URL, s.iam.env.QUEUE_PREFIX, s.tenantId, 'access-control');
    await a.consumer.start();
    await b.consumer.start();
    try {
      const userName = `evt-${randomUUID().slice(0, 8)}@contoso.com`;
      const user = (await s.scim('POST', '/Users', { schemas: [USER], userName, title: 'A' })).body;
      await s.scim('PATCH', `/Users/${user.id}`, ops({ op: 'replace', path: 'title', value: 'B' }));
      await s.scim('PATCH', `/Users/${user.id}`, ops({ op: 'replace', path: 'title', value: 'B' })); // no change, no event
      await s.scim('PATCH', `/Users/${user.id}`, ops({ op: 'Replace', path: 'active', value: 'False' }));
      await s.scim('PATCH', `/Users/${user.id}`, ops({ op: 'Replace', path: 'active', value: 'True' }));
      expect((await s.scim('POST', '/Users', { schemas: [USER], userName })).status).toBe(409); // rolled back: no event
      const group = (
        await s.scim('POST', '/Groups', { schemas: [GROUP], displayName: `Evt ${randomUUID()}`, members: [] })
      ).body;
      await s.scim(
        'PATCH',
        `/Groups/${group.id}`,
        ops({ op: 'Add', path: 'members', value: [{ value: user.id }] }),
      );
      await s.scim(
        'PATCH',
        `/Groups/${group.id}`,
        ops({ op: 'Add', path: 'members', value: [{ value: user.id }] }),
      ); // no-op
      await s.scim('DELETE', `/Users/${user.id}`);

      const expected = [
        [SubjectEventType.SubjectCreated, 1],
        [SubjectEventType.SubjectUpdated, 2],
        [SubjectEventType.SubjectDeactivated, 3],
        [SubjectEventType.SubjectReactivated, 4],
        [SubjectEventType.SubjectAddedToGroup, 5],
        [SubjectEventType.SubjectRemovedFromGroup, 6],
        [SubjectEventType.SubjectDeleted, 7],
      ];
      const ofUser = (events: SubjectEvent[]) => events.filter((e) => e.subjectId === user.id);
      await eventually(() => ofUser(a.events).length >= 7 && ofUser(b.events).length >= 7);
      for (const events of [a.events, b.events]) {
        expect(ofUser(events).map((e) => [e.type, e.sequence])).toEqual(expected);
      }
      const [created, updated, deactivated] = ofUser(a.events);
      expect(created).toMatchObject({
        specVersion: 1,
        tenantId: s.tenantId,
        source: 'scim',
        state: { id: user.id, userName, title: 'A' },
      });
      expect(updated).toMatchObject({ changedAttributes: ['title'], state: { title: 'B' } });
      expect(deactivated).toMatchObject({ changedAttributes: ['active'], state: { active: false } });
      expect(ofUser(a.events).at(-1)!.state).toBeNull();
      expect(ofUser(a.events)[4]).toMatchObject({ groupId: group.id, state: { group: { id: group.id } } });
      expect(new Set(a.events.map((e) => e.id)).size).toBe(a.events.length);
      expect(Date.parse(created!.occurredAt)).not.toBeNaN();
      await eventually(() =>
        b.events.some((e) => e.type === SubjectEventType.GroupCreated && e.groupId === group.id),
      );
    } finally {
      await a.consumer.stop();
      await b.consumer.stop();
    }
  });

  it('keeps per-subject order under concurrent writes', async () => {
    const c = collector(s.iam.env.REDIS_URL, s.iam.env.QUEUE_PREFIX, s.tenantId);
    await c.consumer.start();
    try {
      const user = (
        await s.scim('POST', '/Users', { schemas: [USER], userName: `order-${randomUUID()}@x.test` })
      ).body;
      const results = await Promise.all(
        Array.from({ length: 25 }, (_, i) =>
          s.scim('PATCH', `/Users/${user.id}`, ops({ op: 'replace', path: 'title', value: `T${i}` })),
        ),
      );
      expect(results.every((r) => r.status === 200)).toBe(true);
      const ofUser = () => c.events.filter((e) => e.subjectId === user.id);
      await eventually(() => ofUser().length >= 26);
      expect(ofUser().map((e) => e.sequence)).toEqual(Array.from({ length: 26 }, (_, i) => i + 1));
      // The last event carries the state that was written last.
      const [row] = await s.iam.app
        .get(DataSource)
        .query(`SELECT document->>'title' AS title FROM subjects WHERE id = $1`, [user.id]);
      expect(ofUser().at(-1)!.state).toMatchObject({ title: row.title });
    } finally {
      await c.consumer.stop();
    }
  });

  it('lets a consumer replay from a point in time', async () => {
    const c = collector(s.iam.env.REDIS_URL, s.iam.env.QUEUE_PREFIX, s.tenantId);
    await c.consumer.start();
    try {
      const before = new Date(Date.now() - 5);
      const user = (
        await s.scim('POST', '/Users', { schemas: [USER], userName: `replay-${randomUUID()}@x.test` })
      ).body;
      await eventually(() => c.events.some((e) => e.subjectId === user.id));
      const seen = c.events.filter((e) => e.subjectId === user.id).map((e) => e.id);
      await c.consumer.replayFrom({ time: before });
      await eventually(() => c.events.filter((e) => e.subjectId === user.id).length >= 2);
      expect(c.events.filter((e) => e.subjectId === user.id).map((e) => e.id)).toEqual([...seen, ...seen]);
    } finally {
      await c.consumer.stop();
    }
  });

  it('loses no committed event when IAM dies between commit and publish', async () => {
    // A database of its own: no other relay may publish these events meanwhile.
    const db = await createScratchDatabase();
    const setup = await startIamAdmin({ DATABASE_URL: db.url, EVENTS_RELAY_ENABLED: 'false' });
    const prefix = `evtcrash-${randomUUID().slice(0, 8)}`;
    const gateway = await startScimGateway({
      DATABASE_URL: db.url,
      QUEUE_PREFIX: prefix,
      SCIM_COMMAND_TIMEOUT_MS: '30000',
    });
    const platformToken = await issueAdminToken(setup, PLATFORM_PERMISSIONS);
    const tenantId = await createTenant(setup, platformToken, 'events crash');
    const stack = await withTenant(setup, gateway, platformToken, tenantId);
    const env: Record<string, string> = { ...setup.env, QUEUE_PREFIX: prefix, EVENTS_RELAY_ENABLED: 'true' };
    // The first IAM commits changes but never publishes them (its relay is off), then is killed.
    let iam = await spawnIamAdmin({ ...env, EVENTS_RELAY_ENABLED: 'false' });
    const c = collector(env.REDIS_URL, prefix, tenantId);
    await c.consumer.start();
    try {
      const users = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          stack.scim('POST', '/Users', { schemas: [USER], userName: `crash-${i}-${randomUUID()}@x.test` }),
        ),
      );
      expect(users.map((u) => u.status)).toEqual(Array(10).fill(201));
      await iam.crash();
      await new Promise((r) => setTimeout(r, 300));
      expect(c.events).toEqual([]);
      const [{ n }] = await setup.app
        .get(DataSource)
        .query(
          `SELECT count(*)::int AS n FROM subject_events WHERE tenant_id = $1 AND published_at IS NULL`,
          [tenantId],
        );
      expect(n).toBe(10);
      iam = await spawnIamAdmin(env);
      await eventually(() => c.events.length >= 10);
      expect(c.events.map((e) => e.subjectId).sort()).toEqual(users.map((u) => u.body.id).sort());
    } finally {
      await c.consumer.stop();
      await iam.stop();
      await gateway.close();
      await setup.close();
      await db.drop();
    }
  }, 60_000);
});
