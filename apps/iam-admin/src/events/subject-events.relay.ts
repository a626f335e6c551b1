import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { subjectEventsStream } from '@app/contracts';
import { REDIS_CLIENT } from '@app/platform';
import { IamAdminConfig } from '../config/iam-admin.config';
import { SubjectEventsRepository } from './subject-events.repository';

/**
 * Publishes committed outbox rows to the subject-events Redis Stream, oldest first, then marks them
 * published. A crash between the two publishes the batch again: delivery is at-least-once and
 * consumers de-duplicate on the event id. One relay at a time (a transaction-scoped advisory lock),
 * so the stream keeps commit order.
 */
@Injectable()
export class SubjectEventsRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SubjectEventsRelay.name);
  private running = false;
  private wake?: () => void;
  private loop?: Promise<void>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: SubjectEventsRepository,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly config: IamAdminConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.EVENTS_RELAY_ENABLED) return;
    this.running = true;
    this.loop = this.run();
  }

  async onApplicationShutdown(): Promise<void> {
    this.running = false;
    this.kick();
    await this.loop;
  }

  /** Called after a change commits, so events leave at once instead of at the next poll. */
  kick(): void {
    this.wake?.();
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      try {
        const published = await this.publishBatch();
        failures = 0;
        if (published >= this.config.EVENTS_RELAY_BATCH) continue; // a backlog: drain it
        if (published > 0) {
          // Under steady load, let a few commits gather so one round trip publishes many.
          await new Promise((resolve) => setTimeout(resolve, this.config.EVENTS_RELAY_COALESCE_MS));
          continue;
        }
      } catch (error) {
        failures++;
        this.logger.warn(
          { err: (error as Error).message, failures },
          'could not publish subject events; will retry',
        );
      }
      const delay = failures > 0 ? Math.min(5000, 100 * 2 ** failures) : this.config.EVENTS_RELAY_POLL_MS;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  /** One batch: read unpublished rows, XADD them in one round trip, mark them published. */
  async publishBatch(): Promise<number> {
    return this.dataSource.transaction(async (em) => {
      if (!(await this.outbox.tryLockRelay(em))) return 0;
      const rows = await this.outbox.unpublished(em, this.config.EVENTS_RELAY_BATCH);
      if (rows.length === 0) return 0;
      const stream = subjectEventsStream(this.config.QUEUE_PREFIX);
      const pipeline = this.redis.multi();
      for (const row of rows) {
        const event = {
          ...row.event,
          id: row.id,
          sequence: Number(row.sequence),
          occurredAt: new Date(row.occurredAt).toISOString(),
        };
        pipeline.xadd(
          stream,
          'MAXLEN',
          '~',
          String(this.config.EVENTS_STREAM_MAX_LENGTH),
          '*',
          'event',
          JSON.stringify(event),
        );
      }
      const results = await pipeline.exec();
      const failed = results?.find(([error]) => error);
      if (!results || failed) throw failed?.[0] ?? new Error('Redis did not run the publish');
      await this.outbox.markPublished(
        em,
        rows.map((r) => r.position),
      );
      return rows.length;
    });
  }
}
