import { Queue, QueueEvents } from 'bullmq';
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { ProvisioningCommand, ProvisioningOutcome, QueueName } from '@app/contracts';
import { redisConnection } from '@app/platform';
import { TEST_REDIS_URL, uniqueQueuePrefix } from '@test/support';
import { IamAdminConfig } from '../config/iam-admin.config';
import { ProvisioningCommandsProcessor } from './provisioning-commands.processor';
import { ProvisioningCommandsService } from './provisioning-commands.service';

/**
 * PROVISIONING_LOCK_MS reaches the worker's lock renewals, not only its first lock: BullMQ derives
 * the renewal period when it builds the worker, so the setting must be given at construction.
 */
describe('the provisioning worker uses PROVISIONING_LOCK_MS for every lock', () => {
  const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

  async function run(lockMs: number, work: (commandId: string, prefix: string) => Promise<void>) {
    const prefix = uniqueQueuePrefix();
    const applied: string[] = [];
    const service = {
      apply: async (command: ProvisioningCommand): Promise<ProvisioningOutcome> => {
        applied.push(command.commandId);
        await work(command.commandId, prefix);
        return { ok: true, subject: null };
      },
    } as unknown as ProvisioningCommandsService;
    const config = Object.assign(new IamAdminConfig(), {
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: prefix,
      PROVISIONING_CONCURRENCY: 1,
      PROVISIONING_LOCK_MS: lockMs,
      PROVISIONING_STALLED_CHECK_MS: 500,
    });
    const processor = new ProvisioningCommandsProcessor(service, config);
    const queue = new Queue(QueueName.ProvisioningCommands, {
      connection: redisConnection(TEST_REDIS_URL),
      prefix,
    });
    const events = new QueueEvents(QueueName.ProvisioningCommands, {
      connection: redisConnection(TEST_REDIS_URL),
      prefix,
    });
    const stalled: string[] = [];
    events.on('stalled', ({ jobId }) => stalled.push(jobId));
    await events.waitUntilReady();
    processor.onApplicationBootstrap();
    try {
      const commandId = randomUUID();
      const job = await queue.add(
        'delete-user',
        {
          commandId,
          tenantId: randomUUID(),
          provider: 'p',
          scimTokenId: randomUUID(),
          name: 'delete-user',
          subjectId: randomUUID(),
        },
        { jobId: commandId, attempts: 3 },
      );
      await expect(job.waitUntilFinished(events, 20_000)).resolves.toEqual({ ok: true, subject: null });
      return { applied, stalled };
    } finally {
      await processor.onApplicationShutdown();
      await events.close();
      await queue.obliterate({ force: true });
      await queue.close();
    }
  }

  it('a short lock is renewed at its own pace: a command running for three lock periods is neither stalled nor applied twice', async () => {
    const { applied, stalled } = await run(1000, () => sleep(3000));
    expect(stalled).toEqual([]);
    expect(applied).toHaveLength(1);
  }, 30_000);

  it('a lock other than the default is renewed with its own length (renewals every half lock, not every 15 s)', async () => {
    const redis = new Redis(TEST_REDIS_URL);
    const ttls: number[] = [];
    try {
      // lockRenewTime is half the lock: after one renewal the lock must still hold close to 4 s, never the default's 30 s.
      await run(4000, async (commandId, prefix) => {
        const key = `${prefix}:${QueueName.ProvisioningCommands}:${commandId}:lock`;
        for (let i = 0; i < 6; i++) {
          await sleep(500);
          ttls.push(await redis.pttl(key));
        }
      });
    } finally {
      redis.disconnect();
    }
    expect(ttls.every((ttl) => ttl > 0 && ttl <= 4000)).toBe(true);
    // A renewal happened (at 2 s): the TTL went back up.
    expect(ttls.some((ttl, i) => i > 0 && ttl > ttls[i - 1]!)).toBe(true);
  }, 30_000);
});
