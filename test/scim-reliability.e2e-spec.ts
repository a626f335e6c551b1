import { Queue, QueueEvents } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ProvisioningCommandName, ProvisioningOutcome, QueueName } from '@app/contracts';
import { redisConnection } from '@app/platform';
import {
  createTenant,
  eventually,
  http,
  issueAdminToken,
  PLATFORM_PERMISSIONS,
  RunningApp,
  spawnIamAdmin,
  startIamAdmin,
  startScimGateway,
  startScimStack,
  withTenant,
} from '@test/support';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const user = (userName: string) => ({ schemas: [USER], userName, active: true, displayName: userName });

const liveSubjects = async (dataSource: DataSource, tenantId: string) =>
  (
    await dataSource.query(`SELECT user_name FROM subjects WHERE tenant_id = $1 AND deleted_at IS NULL`, [
      tenantId,
    ])
  ).map((r: { user_name: string }) => r.user_name);

describe('no accepted write is lost, none is applied twice', () => {
  it('answers 503 + Retry-After while IAM is down; the expired command is not applied later, the retry is, once', async () => {
    const s = await startScimStack({
      gatewayEnv: { SCIM_COMMAND_TIMEOUT_MS: '700', SCIM_RETRY_AFTER_SECONDS: '7' },
    });
    const probe = await new DataSource({ type: 'postgres', url: s.iam.env.DATABASE_URL }).initialize();
    let iam: RunningApp | undefined;
    try {
      await s.iam.close();
      const userName = `down-${randomUUID().slice(0, 8)}@contoso.com`;
      const res = await s.scim('POST', '/Users', user(userName));
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('7');
      expect(res.body).toMatchObject({
        schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
        status: '503',
      });
      expect(await liveSubjects(probe, s.tenantId)).toEqual([]);

      iam = await startIamAdmin(s.iam.env);
      // IAM reaches the queued command after the gateway's deadline: recorded as expired, not applied (applied
      // now, a late command could overwrite what the client changed after its 503).
      const expired = async () =>
        (
          await probe.query(
            `SELECT outcome FROM provisioning_commands WHERE tenant_id = $1 AND name = 'create-user'`,
            [s.tenantId],
          )
        ).map((r: { outcome: unknown }) => r.outcome);
      await eventually(async () => (await expired()).length > 0);
      expect(await expired()).toEqual([
        {
          ok: false,
          failure: expect.objectContaining({ status: 503, detail: expect.stringContaining('expired') }),
        },
      ]);
      expect(await liveSubjects(probe, s.tenantId)).toEqual([]);
      // Entra retries the create: applied once.
      const retry = await s.scim('POST', '/Users', user(userName));
      expect(retry.status).toBe(201);
      const found = await s.scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`);
      expect(found.body.totalResults).toBe(1);
      expect(await liveSubjects(probe, s.tenantId)).toEqual([userName]);
    } finally {
      await probe.destroy();
      await iam?.close();
      await s.gateway.close();
    }
  });

  it('answers 503 + Retry-After, not a hang or a 500, while Redis is unreachable', async () => {
    const s = await startScimStack();
    const cut = await startScimGateway({
      DATABASE_URL: s.gateway.env.DATABASE_URL,
      REDIS_URL: 'redis://127.0.0.1:1/0',
      SCIM_COMMAND_TIMEOUT_MS: '500',
      SCIM_RETRY_AFTER_SECONDS: '3',
    });
    try {
      const started = Date.now();
      const res = await http(cut.url, 'POST', `${s.base}/Users`, {
        token: s.scimToken,
        body: user(`noredis-${randomUUID().slice(0, 8)}@contoso.com`),
      });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('3');
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      await cut.close();
      await s.close();
    }
  });

  it('answers a re-delivered command with its recorded outcome instead of applying it again', async () => {
    const s = await startScimStack();
    const queue = new Queue(QueueName.ProvisioningCommands, {
      connection: redisConnection(s.iam.env.REDIS_URL),
      prefix: s.iam.env.QUEUE_PREFIX,
    });
    const events = new QueueEvents(QueueName.ProvisioningCommands, {
      connection: redisConnection(s.iam.env.REDIS_URL),
      prefix: s.iam.env.QUEUE_PREFIX,
    });
    try {
      await events.waitUntilReady();
      const command = {
        name: ProvisioningCommandName.CreateUser,
        commandId: randomUUID(),
        tenantId: s.tenantId,
        provider: s.provider,
        scimTokenId: s.scimTokenId,
        document: user(`redelivered-${randomUUID().slice(0, 8)}@contoso.com`),
      };
      // Two deliveries of one command (as after a worker crash between commit and acknowledgement).
      const first = await queue.add(command.name, command, { jobId: `${command.commandId}-a` });
      const second = await queue.add(command.name, command, { jobId: `${command.commandId}-b` });
      const outcomes = (await Promise.all([
        first.waitUntilFinished(events, 10_000),
        second.waitUntilFinished(events, 10_000),
      ])) as ProvisioningOutcome[];
      expect(outcomes[0]).toEqual(outcomes[1]);
      expect(outcomes[0]!.ok).toBe(true);
      expect(await liveSubjects(s.iam.app.get(DataSource), s.tenantId)).toEqual([command.document.userName]);
    } finally {
      await events.close();
      await queue.close();
      await s.close();
    }
  });

  it('survives a crash (SIGKILL) of the IAM service mid-cycle: every accepted create applied exactly once', async () => {
    // Set-up through an in-process IAM on another queue prefix (its worker must not take our commands).
    const setup = await startIamAdmin();
    const prefix = `crash-${randomUUID().slice(0, 8)}`;
    const gateway = await startScimGateway({ QUEUE_PREFIX: prefix, SCIM_COMMAND_TIMEOUT_MS: '60000' });
    const platformToken = await issueAdminToken(setup, PLATFORM_PERMISSIONS);
    const tenantId = await createTenant(setup, platformToken, 'crash');
    const stack = await withTenant(setup, gateway, platformToken, tenantId);
    const dataSource = setup.app.get(DataSource);
    const childEnv = {
      ...setup.env,
      QUEUE_PREFIX: prefix,
      PROVISIONING_LOCK_MS: '2000',
      PROVISIONING_STALLED_CHECK_MS: '1000',
      PROVISIONING_CONCURRENCY: '8',
    };
    let iam = await spawnIamAdmin(childEnv);
    try {
      const names = Array.from(
        { length: 80 },
        (_, i) => `crash-${i}-${randomUUID().slice(0, 6)}@contoso.com`,
      );
      const responses = Promise.all(names.map((n) => stack.scim('POST', '/Users', user(n))));
      await eventually(async () => (await liveSubjects(dataSource, tenantId)).length >= 15);
      await iam.crash();
      const appliedAtCrash = (await liveSubjects(dataSource, tenantId)).length;
      expect(appliedAtCrash).toBeLessThan(names.length);
      iam = await spawnIamAdmin(childEnv);
      const results = await responses;
      expect(results.map((r) => r.status)).toEqual(Array(names.length).fill(201));
      expect(new Set(results.map((r) => r.body.id)).size).toBe(names.length);
      expect((await liveSubjects(dataSource, tenantId)).sort()).toEqual([...names].sort());
      const [{ n }] = await dataSource.query(
        `SELECT count(*)::int AS n FROM provisioning_commands WHERE tenant_id = $1`,
        [tenantId],
      );
      expect(n).toBe(names.length);
    } finally {
      await iam.stop();
      await gateway.close();
      await setup.close();
    }
  }, 90_000);
});
