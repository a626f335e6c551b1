import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { REDIS_CLIENT } from '@app/platform';
import { RetentionService } from '../../apps/iam-admin/src/retention/retention.service';
import { Browser, FakeEntra, ScimStack, startScimStack } from '@test/support';

const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const MEMBERS_MAX = 5;

/** Issue 11 point 3: what unauthenticated or expensive requests can no longer grow without bound. */
describe('bounded resources', () => {
  let s: ScimStack;
  let db: DataSource;

  beforeAll(async () => {
    s = await startScimStack({
      iamEnv: { LOGIN_PENDING_PER_PROVIDER: '4', LOGIN_PENDING_PER_ADDRESS: '3', RETENTION_INTERVAL_MS: '0' },
      gatewayEnv: {
        SCIM_GROUP_MEMBERS_MAX: String(MEMBERS_MAX),
        SCIM_TENANT_READ_CONCURRENCY: '1',
        SCIM_TENANT_READ_WAIT_MS: '100',
        DATABASE_STATEMENT_TIMEOUT_MS: '300',
      },
    });
    db = s.iam.app.get(DataSource);
  });
  afterAll(() => s?.close());

  async function seedUsers(n: number): Promise<string[]> {
    const rows: Array<{ id: string }> = await db.query(
      `INSERT INTO subjects (tenant_id, user_name, display_name, active, document, provider, source, version)
       SELECT $1, 'b-' || g || '-' || $3 || '@contoso.com', 'Bounded ' || g, true,
              jsonb_build_object('schemas', jsonb_build_array('urn:ietf:params:scim:schemas:core:2.0:User'),
                                 'userName', 'b-' || g || '-' || $3 || '@contoso.com'),
              'entra', 'scim', 1
         FROM generate_series(1, $2) g RETURNING id`,
      [s.tenantId, n, randomUUID()],
    );
    return rows.map((r) => r.id);
  }

  describe('group reads list at most SCIM_GROUP_MEMBERS_MAX members', () => {
    let big: string;
    let small: string;
    let ids: string[];
    beforeAll(async () => {
      ids = await seedUsers(12);
      big = (
        await s.scim('POST', '/Groups', {
          schemas: [GROUP],
          displayName: 'Big',
          members: ids.map((value) => ({ value })),
        })
      ).body.id;
      small = (
        await s.scim('POST', '/Groups', {
          schemas: [GROUP],
          displayName: 'Small',
          members: [{ value: ids[0] }],
        })
      ).body.id;
    });

    it('GET /Groups/{id} of a larger group shows the first members and says so in Scim-Members-Truncated', async () => {
      const res = await s.scim('GET', `/Groups/${big}`);
      expect(res.status).toBe(200);
      // Members that joined together are listed by id: the first ones are the smallest ids.
      expect(res.body.members.map((m: { value: string }) => m.value)).toEqual(
        [...ids].sort().slice(0, MEMBERS_MAX),
      );
      expect(res.headers.get('scim-members-truncated')).toBe(String(MEMBERS_MAX));
    });

    it('a list marks the answer when any group was cut; a small group alone is not marked', async () => {
      const listed = await s.scim('GET', '/Groups?count=10');
      expect(listed.headers.get('scim-members-truncated')).toBe(String(MEMBERS_MAX));
      const bigListed = listed.body.Resources.find((g: { id: string }) => g.id === big);
      expect(bigListed.members).toHaveLength(MEMBERS_MAX);
      const alone = await s.scim('GET', `/Groups/${small}`);
      expect(alone.body.members).toHaveLength(1);
      expect(alone.headers.get('scim-members-truncated')).toBeNull();
    });

    it('all members page through /Users?filter=groups.value eq, as the header documents', async () => {
      const page = await s.scim(
        'GET',
        `/Users?filter=${encodeURIComponent(`groups.value eq "${big}"`)}&count=100`,
      );
      expect(page.body.totalResults).toBe(ids.length);
    });
  });

  describe("per-tenant read fairness and statement_timeout on the gateway's pool", () => {
    /** Runs `during` while a transaction holds subjects exclusively, so every read of Users waits on it. */
    async function whileUsersLocked<T>(during: () => Promise<T>): Promise<T> {
      const holder = db.createQueryRunner();
      await holder.connect();
      await holder.startTransaction();
      try {
        await holder.query('LOCK TABLE subjects IN ACCESS EXCLUSIVE MODE');
        return await during();
      } finally {
        await holder.rollbackTransaction();
        await holder.release();
      }
    }

    it('a read cancelled at the statement timeout answers 503 + Retry-After naming the limit, not 500', async () => {
      const res = await whileUsersLocked(() => s.scim('GET', '/Users?count=1'));
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBeTruthy();
      expect(res.body.detail).toContain('300 ms');
    });

    it("a tenant's reads beyond its limit get 429 + Retry-After after the wait, and the slot frees up after", async () => {
      const answers = await whileUsersLocked(() =>
        Promise.all(Array.from({ length: 3 }, () => s.scim('GET', '/Users?count=1'))),
      );
      expect(answers.map((a) => a.status).sort()).toEqual([429, 429, 503]);
      const refused = answers.find((a) => a.status === 429)!;
      expect(refused.headers.get('retry-after')).toBeTruthy();
      expect(refused.body.detail).toContain('too many SCIM reads of this tenant');
      expect((await s.scim('GET', '/Users?count=1')).status).toBe(200);
    });
  });

  describe('the login state store cannot be filled by unauthenticated starts', () => {
    let entra: FakeEntra;
    beforeAll(async () => {
      entra = await new FakeEntra({ clientId: randomUUID(), clientSecret: 'secret' }).start();
      const body = entra.providerBody(
        'bounded',
        [`${s.iam.url}/v1/login/${s.tenantId}/bounded/callback`],
        {},
      );
      const res = await fetch(`${s.iam.url}/v1/sso/azuread`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${s.platformToken}`,
          'x-tenant-id': s.tenantId,
          'content-type': 'application/json',
        },
        body: JSON.stringify(body),
      });
      if (res.status !== 201) throw new Error(await res.text());
    });
    afterAll(() => entra?.stop());

    const start = (address: string) =>
      new Browser().fetch(
        `${s.iam.url}/v1/login/${s.tenantId}/bounded?${new URLSearchParams({
          redirect_uri: `${s.iam.url}/v1/login/${s.tenantId}/bounded/callback`,
        })}`,
        // TRUST_PROXY is unset: every request comes from 127.0.0.1; the header must not change that.
        { headers: { 'x-forwarded-for': address } },
      );

    it('refuses starts beyond the per-address bound with 429, storing nothing more', async () => {
      const keysBefore = await s.iam.app
        .get<Redis>(REDIS_CLIENT)
        .keys(`${s.iam.env.QUEUE_PREFIX}:login-state:*`);
      const statuses = [];
      for (let i = 0; i < 5; i++) statuses.push((await start(`10.0.0.${i}`)).status);
      expect(statuses).toEqual([302, 302, 302, 429, 429]);
      const keysAfter = await s.iam.app
        .get<Redis>(REDIS_CLIENT)
        .keys(`${s.iam.env.QUEUE_PREFIX}:login-state:*`);
      expect(keysAfter.length - keysBefore.length).toBe(3);
    });
  });

  describe('retention of provisioning outcomes and published outbox rows', () => {
    it('purges old outcomes and old published events in batches, keeps recent and unpublished ones', async () => {
      const tenant = s.tenantId;
      const aggregate = randomUUID();
      await db.query(
        `INSERT INTO provisioning_commands (command_id, tenant_id, name, outcome, applied_at)
         SELECT gen_random_uuid(), $1::uuid, 'createUser', '{}'::jsonb, now() - interval '40 days' FROM generate_series(1, 25)
         UNION ALL SELECT gen_random_uuid(), $1, 'createUser', '{"recent":true}'::jsonb, now() - interval '1 day'`,
        [tenant],
      );
      await db.query(
        `INSERT INTO subject_events (tenant_id, aggregate_id, sequence, event, occurred_at, published_at)
         SELECT $1, $2, g, '{}', now() - interval '30 days',
                CASE WHEN g <= 7 THEN now() - interval '20 days' WHEN g = 8 THEN now() - interval '1 day' END
           FROM generate_series(1, 9) g`,
        [tenant, aggregate],
      );
      const retention = s.iam.app.get(RetentionService);
      (retention as any).config.RETENTION_BATCH_SIZE = 4;
      const acknowledgeThrough = (sequence: number) =>
        db.query(
          `UPDATE subject_events_acknowledged SET position =
             (SELECT position FROM subject_events WHERE aggregate_id = $1 AND sequence = $2)`,
          [aggregate, sequence],
        );
      // Consumers have acknowledged only through the 5th: later events may still have to be republished.
      await acknowledgeThrough(5);
      const run = await retention.purge();
      expect(run.skipped).toBe(false);
      expect(run.provisioningOutcomes).toBeGreaterThanOrEqual(25);
      expect(run.publishedEvents).toBe(5);
      await acknowledgeThrough(9);
      expect((await retention.purge()).publishedEvents).toBe(2);
      const [{ old }] = await db.query(
        `SELECT count(*)::int AS old FROM provisioning_commands WHERE applied_at < now() - interval '30 days'`,
      );
      expect(old).toBe(0);
      const left = await db.query(
        `SELECT sequence::int AS sequence FROM subject_events WHERE aggregate_id = $1 ORDER BY sequence`,
        [aggregate],
      );
      // The one published yesterday and the unpublished one (30 days old) stay.
      expect(left.map((r: { sequence: number }) => r.sequence)).toEqual([8, 9]);
      const [{ recent }] = await db.query(
        `SELECT count(*)::int AS recent FROM provisioning_commands WHERE outcome = '{"recent":true}'`,
      );
      expect(recent).toBe(1);
    });

    it('runs in one instance at a time: a second run while the job is held is skipped', async () => {
      const holder = db.createQueryRunner();
      await holder.connect();
      try {
        await holder.query('SELECT pg_advisory_lock(76437648)');
        await expect(s.iam.app.get(RetentionService).purge()).resolves.toMatchObject({ skipped: true });
        await holder.query('SELECT pg_advisory_unlock(76437648)');
      } finally {
        await holder.release();
      }
    });
  });
});
