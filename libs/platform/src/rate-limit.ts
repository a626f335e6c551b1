import { Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type Redis from 'ioredis';
import { withTimeLimit } from './time-limit';

/** One counter a request is charged to: `key` names who is counted (never a raw secret). */
export interface RateLimitCounter {
  key: string;
  /** Requests per window; 0 = unlimited. */
  limit: number;
}

export interface RateLimiterOptions {
  /** Redis key prefix, so installations (and test runs) sharing a Redis keep their own counts. */
  prefix: string;
  windowMs?: number;
  /** How long to wait for Redis before letting the request through uncounted. */
  redisTimeoutMs?: number;
}

const BLOCKED_KEYS_KEPT = 10_000;

/**
 * Fixed-window counters in Redis, shared by every instance of a service. All of a request's
 * counters cost one pipelined round trip. Once a key is over its limit, this instance answers its
 * requests from memory until the window ends: a flood costs no Redis round trips, so one tenant's
 * flood does not queue up in front of another tenant's requests.
 *
 * If Redis does not answer in time, requests pass uncounted: the limit protects capacity, it is
 * not an authorisation check, and SCIM reads keep working while Redis is away.
 */
export class RateLimiter {
  private readonly logger = new Logger(RateLimiter.name);
  private readonly blockedUntil = new Map<string, number>();
  private readonly windowMs: number;
  private readonly redisTimeoutMs: number;
  private lastWarning = 0;

  constructor(
    private readonly redis: Redis,
    private readonly options: RateLimiterOptions,
  ) {
    this.windowMs = options.windowMs ?? 60_000;
    this.redisTimeoutMs = options.redisTimeoutMs ?? 250;
  }

  /** Charges one request to every counter; answers the seconds to wait when any is over its limit. */
  async take(counters: RateLimitCounter[]): Promise<number | undefined> {
    const active = counters.filter((c) => c.limit > 0);
    if (active.length === 0) return undefined;
    const now = Date.now();
    const window = Math.floor(now / this.windowMs);
    const windowEnd = (window + 1) * this.windowMs;
    const retryAfter = Math.max(1, Math.ceil((windowEnd - now) / 1000));
    if (active.some((c) => (this.blockedUntil.get(c.key) ?? 0) > now)) return retryAfter;

    const pipeline = this.redis.pipeline();
    for (const counter of active) {
      const key = `${this.options.prefix}:rate:${counter.key}:${window}`;
      pipeline.incr(key).pexpire(key, this.windowMs * 2);
    }
    const results = await this.withinTimeout(pipeline.exec());
    if (!results) return undefined;
    const over = active.filter((c, i) => Number(results[i * 2]?.[1] ?? 0) > c.limit);
    if (over.length === 0) return undefined;
    this.block(
      over.map((c) => c.key),
      windowEnd,
      now,
    );
    return retryAfter;
  }

  private block(keys: string[], until: number, now: number): void {
    if (this.blockedUntil.size > BLOCKED_KEYS_KEPT) {
      for (const [key, end] of this.blockedUntil) if (end <= now) this.blockedUntil.delete(key);
    }
    for (const key of keys) this.blockedUntil.set(key, until);
  }

  private async withinTimeout<T>(pending: Promise<T>): Promise<T | undefined> {
    const result = await withTimeLimit(pending, this.redisTimeoutMs).catch(() => undefined);
    if (result === undefined) this.warn();
    return result;
  }

  private warn(): void {
    if (Date.now() - this.lastWarning < 10_000) return;
    this.lastWarning = Date.now();
    this.logger.warn('rate limit counters unavailable (Redis); requests pass uncounted');
  }
}

/**
 * Charges each request to the counters `countersFor` names (none: not limited) before it is routed
 * or its body read, and answers with `reject` (which must set Retry-After) when one is exhausted.
 */
export function installRateLimit(
  app: NestFastifyApplication,
  limiter: RateLimiter,
  countersFor: (request: FastifyRequest) => RateLimitCounter[],
  reject: (reply: FastifyReply, retryAfterSeconds: number) => void,
): void {
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', async (request, reply) => {
      const counters = countersFor(request);
      if (counters.length === 0) return;
      const retryAfter = await limiter.take(counters);
      if (retryAfter === undefined) return;
      reject(reply, retryAfter);
      return reply;
    });
}
