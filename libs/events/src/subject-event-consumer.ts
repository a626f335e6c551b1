import Redis from 'ioredis';
import { SubjectEvent, subjectEventsStream } from '@app/contracts';

/** Where an event sits: its stream id, and its position in IAM's outbox (absent on entries of older IAMs). */
export interface StreamEntryRef {
  streamId: string;
  position?: number;
}

export interface SubjectEventConsumerOptions {
  /** A redis:// URL or a client of your own (the consumer duplicates it: reads block). */
  redis: string | Redis;
  /** The IAM installation's QUEUE_PREFIX. */
  queuePrefix: string;
  /** This consumer's name (billing, access-control …): its own consumer group, so it sees every event. */
  group: string;
  /**
   * Handle one event. Throwing leaves it pending; it is retried, and later events wait (per-subject
   * order holds). `entry` says where the event sits in the stream (`position`: IAM's outbox position).
   */
  handle: (event: SubjectEvent, entry: StreamEntryRef) => Promise<void>;
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
 *
 * If Redis loses the stream or the group (a flush, a failover, a restart without AOF), the group is
 * created again after the last entry this consumer acknowledged (from the start of the stream after
 * a restart), and IAM republishes from its outbox what the groups had not acknowledged: some events
 * arrive twice, none is lost.
 */
export class SubjectEventConsumer {
  private readonly redis: Redis;
  private readonly stream: string;
  private running = false;
  private loop?: Promise<void>;
  /** The newest entry this consumer acknowledged: where a lost group starts again. */
  private lastAcknowledged?: string;

  constructor(private readonly options: SubjectEventConsumerOptions) {
    this.redis =
      typeof options.redis === 'string'
        ? new Redis(options.redis, { maxRetriesPerRequest: null })
        : options.redis.duplicate();
    // Connection errors (a Redis restart) are reported, not thrown as unhandled: ioredis reconnects.
    this.redis.on('error', (error: Error) => this.options.onError?.(error));
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

  private async ensureGroup(startFrom: string = this.options.startFrom ?? '$'): Promise<void> {
    try {
      await this.redis.xgroup('CREATE', this.stream, this.options.group, startFrom, 'MKSTREAM');
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
        // Acknowledged together once handled (one round trip per batch, not per event): a crash
        // before that re-delivers them, which at-least-once allows.
        const handled: string[] = [];
        let failed = false;
        for (const [streamId, fields] of entries) {
          const event = JSON.parse(fields[fields.indexOf('event') + 1]!) as SubjectEvent;
          const position = fields.indexOf('position');
          try {
            await this.options.handle(event, {
              streamId,
              ...(position >= 0 ? { position: Number(fields[position + 1]) } : {}),
            });
          } catch (error) {
            this.options.onError?.(error, event);
            cursor = '0'; // re-read the pending entries, this one first
            failed = true;
            break;
          }
          handled.push(streamId);
        }
        if (handled.length > 0) {
          await this.redis.xack(this.stream, this.options.group, ...handled);
          this.lastAcknowledged = handled.at(-1);
        }
        if (failed) await new Promise((r) => setTimeout(r, 500));
      } catch (error) {
        if (!this.running) return;
        if (String(error).includes('NOGROUP')) {
          // Redis lost the group (or the whole stream): start it again after what this consumer saw.
          await this.ensureGroup(this.lastAcknowledged ?? '0').catch(() => undefined);
          cursor = '0';
          continue;
        }
        this.options.onError?.(error);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }
}
