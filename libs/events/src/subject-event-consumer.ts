import Redis from 'ioredis';
import { SubjectEvent, subjectEventsStream } from '@app/contracts';

export interface SubjectEventConsumerOptions {
  /** A redis:// URL or a client of your own (the consumer duplicates it: reads block). */
  redis: string | Redis;
  /** The IAM installation's QUEUE_PREFIX. */
  queuePrefix: string;
  /** This consumer's name (billing, access-control …): its own consumer group, so it sees every event. */
  group: string;
  /** Handle one event. Throwing leaves it pending; it is retried, and later events wait (per-subject order holds). */
  handle: (event: SubjectEvent) => Promise<void>;
  /** Where a new group starts: '$' (only new events, default) or '0' (everything the stream still holds). */
  startFrom?: '$' | '0';
  blockMs?: number;
  batchSize?: number;
  onError?: (error: unknown, event?: SubjectEvent) => void;
}

/**
 * Reads subject-change events from IAM's Redis Stream for one internal service, in a few lines:
 *
 *   const consumer = new SubjectEventConsumer({ redis: url, queuePrefix: 'iam', group: 'billing',
 *     handle: async (event) => { … } });
 *   await consumer.start();
 *
 * Delivery is at-least-once (acknowledged after `handle` resolves; de-duplicate on `event.id`),
 * in stream order, so events of one subject arrive in sequence order. Run one consumer per group
 * to keep that order. `replayFrom` rewinds the group after a bug.
 */
export class SubjectEventConsumer {
  private readonly redis: Redis;
  private readonly stream: string;
  private running = false;
  private loop?: Promise<void>;

  constructor(private readonly options: SubjectEventConsumerOptions) {
    this.redis =
      typeof options.redis === 'string'
        ? new Redis(options.redis, { maxRetriesPerRequest: null })
        : options.redis.duplicate();
    this.stream = subjectEventsStream(options.queuePrefix);
  }

  async start(): Promise<void> {
    await this.ensureGroup();
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.redis.disconnect();
    await this.loop?.catch(() => undefined);
  }

  /** Rewinds this consumer's group: it receives again every event from that time (or stream id) on. */
  async replayFrom(point: { time: Date } | { streamId: string }): Promise<void> {
    const id = 'time' in point ? `${point.time.getTime()}-0` : point.streamId;
    await this.redis.xgroup('SETID', this.stream, this.options.group, id);
  }

  private async ensureGroup(): Promise<void> {
    try {
      await this.redis.xgroup(
        'CREATE',
        this.stream,
        this.options.group,
        this.options.startFrom ?? '$',
        'MKSTREAM',
      );
    } catch (error) {
      if (!String(error).includes('BUSYGROUP')) throw error;
    }
  }

  private async run(): Promise<void> {
    // First whatever this consumer received but did not acknowledge (a crash, a failed handler), then new events.
    let cursor = '0';
    while (this.running) {
      try {
        const reply = (await this.redis.xreadgroup(
          'GROUP',
          this.options.group,
          'consumer',
          'COUNT',
          this.options.batchSize ?? 100,
          'BLOCK',
          this.options.blockMs ?? 1000,
          'STREAMS',
          this.stream,
          cursor,
        )) as Array<[string, Array<[string, string[]]>]> | null;
        const entries = reply?.[0]?.[1] ?? [];
        if (cursor === '0' && entries.length === 0) cursor = '>';
        for (const [streamId, fields] of entries) {
          const event = JSON.parse(fields[fields.indexOf('event') + 1]!) as SubjectEvent;
          try {
            await this.options.handle(event);
          } catch (error) {
            this.options.onError?.(error, event);
            cursor = '0'; // re-read the pending entries, this one first
            await new Promise((r) => setTimeout(r, 500));
            break;
          }
          await this.redis.xack(this.stream, this.options.group, streamId);
        }
      } catch (error) {
        if (!this.running) return;
        this.options.onError?.(error);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }
}
