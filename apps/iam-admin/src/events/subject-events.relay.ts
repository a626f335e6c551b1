import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { producerSpans } from '@app/platform/tracing';
import { IamAdminConfig } from '../config/iam-admin.config';
import { IamMetrics } from '../metrics/iam-metrics';
import { OutboxRow, SubjectEventsRepository } from './subject-events.repository';
import { StreamEntry, SubjectEventsStream } from './subject-events.stream';

/**
 * Publishes committed outbox rows to the subject-events Redis Stream, oldest first, then marks them
 * published. A crash between the two publishes the batch again: delivery is at-least-once and
 * consumers de-duplicate on the event id. One relay at a time (a transaction-scoped advisory lock),
 * so the stream keeps commit order.
 *
 * Redis may lose the stream (a flush, a failover to a lagging replica, a restart without AOF). The
 * outbox keeps the rows, and every few seconds the relay records in PostgreSQL how far all consumer
 * groups acknowledged; each append checks the stream still holds what was published, and when it
 * does not, the rows after that point are published again (consumers recreate their groups).
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
    private readonly stream: SubjectEventsStream,
    private readonly config: IamAdminConfig,
    private readonly metrics: IamMetrics,
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
    let nextAcknowledgedCheck = 0;
    while (this.running) {
      try {
        if (Date.now() >= nextAcknowledgedCheck) {
          await this.recordAcknowledged();
          nextAcknowledgedCheck = Date.now() + this.config.EVENTS_ACKNOWLEDGED_CHECK_MS;
        }
        const published = await this.publishBatch();
        this.metrics.eventsRelayed(published);
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

  /**
   * One batch: read unpublished rows, append them to the stream, mark them published. The append
   * first checks that the stream still holds the newest position published; when Redis lost it,
   * the rows after the last acknowledged point are republished, in order, from this batch on.
   */
  async publishBatch(): Promise<number> {
    return this.dataSource.transaction(async (em) => {
      if (!(await this.outbox.tryLockRelay(em))) return 0;
      const unpublished = await this.outbox.unpublished(em, this.config.EVENTS_RELAY_BATCH);
      let rows = unpublished.rows;
      // A span per event in the trace of the change that recorded it, ended once the batch is out.
      const publishing = producerSpans(
        'subject-events publish',
        rows.map((r) => r.event),
        { 'messaging.system': 'redis' },
      );
      if (!(await this.stream.append(rows.map(entryOf), unpublished.lastPublished))) {
        const from = await this.outbox.acknowledgedThrough(em);
        const republished = await this.outbox.republishAfter(em, from);
        this.logger.warn(
          { acknowledgedThrough: from, republished },
          'the subject-events stream lost events Redis had accepted (flush, failover or restart without persistence); republishing what consumers had not acknowledged',
        );
        rows = (await this.outbox.unpublished(em, this.config.EVENTS_RELAY_BATCH)).rows;
        await this.stream.append(rows.map(entryOf), null);
      }
      publishing.end();
      if (rows.length === 0) return 0;
      await this.outbox.markPublished(
        em,
        rows.map((r) => r.position),
      );
      return rows.length;
    });
  }

  /** Records in PostgreSQL how far every consumer acknowledged: the point a republish starts after. */
  async recordAcknowledged(): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      if (!(await this.outbox.tryLockRelay(em))) return;
      const through = await this.stream.acknowledgedThrough(await this.outbox.lastPublished(em));
      if (through !== null) await this.outbox.recordAcknowledged(em, through);
    });
  }
}

function entryOf(row: OutboxRow): StreamEntry {
  const event = {
    ...row.event,
    id: row.id,
    sequence: Number(row.sequence),
    occurredAt: new Date(row.occurredAt).toISOString(),
  };
  return { position: row.position, event: JSON.stringify(event) };
}
