import { Inject, Injectable } from '@nestjs/common';
import Redis from 'ioredis';
import { subjectEventsHolds, subjectEventsStream } from '@app/contracts';
import { REDIS_CLIENT } from '@app/platform';
import { IamAdminConfig } from '../config/iam-admin.config';

/** An outbox row as the stream carries it: the event JSON and its outbox position. */
export interface StreamEntry {
  position: string;
  event: string;
}

/**
 * Checks that the stream still holds the newest position published, then appends, in one script
 * so nothing runs in between. An empty or missing stream, or one whose last entry is older (a
 * FLUSHALL, a failover to a replica that lagged, a restart without AOF), answers 0 and appends
 * nothing. Entries written before positions were carried (no `position` field) pass the check.
 */
const CHECKED_APPEND = `
if ARGV[1] ~= '' then
  local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)[1]
  if not last then return 0 end
  local fields = last[2]
  for i = 1, #fields, 2 do
    if fields[i] == 'position' and tonumber(fields[i + 1]) < tonumber(ARGV[1]) then return 0 end
  end
end
for i = 3, #ARGV, 2 do
  redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'event', ARGV[i + 1], 'position', ARGV[i])
end
return 1
`;

type Fields = string[];
type Entry = [id: string, fields: Fields];

const positionOf = (entry: Entry | undefined): bigint | undefined => {
  const fields = entry?.[1];
  const at = fields?.indexOf('position') ?? -1;
  return at >= 0 ? BigInt(fields![at + 1]!) : undefined;
};

/** IAM's side of the subject-events Redis Stream: appending, and reading how far consumers got. */
@Injectable()
export class SubjectEventsStream {
  private readonly stream: string;
  private readonly holds: string;

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly config: IamAdminConfig,
  ) {
    this.stream = subjectEventsStream(config.QUEUE_PREFIX);
    this.holds = subjectEventsHolds(config.QUEUE_PREFIX);
  }

  /**
   * Appends the entries unless the stream lost `mustHold` (the newest position published before);
   * answers false then. `null` skips the check: the first append after a republish, or ever.
   */
  async append(entries: StreamEntry[], mustHold: string | null): Promise<boolean> {
    const args = entries.flatMap((e) => [e.position, e.event]);
    const appended = await this.redis.eval(
      CHECKED_APPEND,
      1,
      this.stream,
      mustHold ?? '',
      String(this.config.EVENTS_STREAM_MAX_LENGTH),
      ...args,
    );
    return appended === 1;
  }

  /**
   * The outbox position through which every consumer group acknowledged every entry and no held
   * work (a webhook delivery) is outstanding; null when the stream cannot tell (lost, empty, or
   * older than `mustHold`, or written before entries carried positions).
   */
  async acknowledgedThrough(mustHold: string | null): Promise<string | null> {
    const [last] = (await this.redis.xrevrange(this.stream, '+', '-', 'COUNT', 1)) as Entry[];
    const newest = positionOf(last);
    if (newest === undefined || (mustHold !== null && newest < BigInt(mustHold))) return null;
    let through = newest;
    const groups = (await this.redis.xinfo('GROUPS', this.stream)) as Fields[];
    for (const fields of groups) {
      const info = Object.fromEntries(
        fields.flatMap((v, i, all) => (i % 2 === 0 ? [[String(v), all[i + 1]]] : [])),
      );
      const firstUnacknowledged = await this.firstUnacknowledged(
        String(info.name),
        Number(info.pending),
        String(info['last-delivered-id']),
      );
      if (firstUnacknowledged === null) return null;
      if (firstUnacknowledged !== undefined && firstUnacknowledged - 1n < through)
        through = firstUnacknowledged - 1n;
    }
    const [, lowestHold] = await this.redis.zrange(this.holds, 0, 0, 'WITHSCORES');
    if (lowestHold !== undefined && BigInt(lowestHold) - 1n < through) through = BigInt(lowestHold) - 1n;
    return String(through < 0n ? 0n : through);
  }

  /** A group's oldest entry it has not acknowledged: undefined when none, null when it has no position. */
  private async firstUnacknowledged(
    group: string,
    pending: number,
    lastDelivered: string,
  ): Promise<bigint | null | undefined> {
    // A pending entry may have been trimmed: the first entry at or after it stands for it.
    const from =
      pending > 0
        ? String(((await this.redis.xpending(this.stream, group)) as [number, string])[1])
        : `(${lastDelivered}`;
    const [entry] = (await this.redis.xrange(this.stream, from, '+', 'COUNT', 1)) as Entry[];
    if (!entry) return undefined;
    return positionOf(entry) ?? null;
  }

  /** Holds a position for work that outlives its stream entry's acknowledgement (see subjectEventsHolds). */
  async hold(member: string, position: number): Promise<void> {
    await this.redis.zadd(this.holds, position, member);
  }

  async release(member: string): Promise<void> {
    await this.redis.zrem(this.holds, member);
  }
}
