import type { FastifyRequest } from 'fastify';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type Redis from 'ioredis';
import {
  bearerCredential,
  digestBearerSecret,
  installRateLimit,
  isHealthProbe,
  RateLimitCounter,
  RateLimiter,
  REDIS_CLIENT,
} from '@app/platform';
import { ScimError } from '@app/scim';
import { ScimGatewayConfig } from '../config/scim-gateway.config';
import { sendScimError } from './scim-exception.filter';

/** Answered when a token or an address is over its limit; Entra waits for Retry-After and tries again. */
export class ScimTooManyRequests extends ScimError {
  constructor(readonly retryAfter: number) {
    super(429, `too many requests; retry after ${retryAfter} s`);
  }
}

/**
 * Per-token and per-address request limits on every SCIM route, checked before authentication and
 * before the body is read. A token is counted by its SHA-256 digest (the raw token never reaches
 * Redis or the logs), so each token — each tenant's Entra — has its own budget.
 */
export function configureScimRateLimit(app: NestFastifyApplication, config: ScimGatewayConfig): void {
  const limiter = new RateLimiter(app.get<Redis>(REDIS_CLIENT), { prefix: config.QUEUE_PREFIX });
  installRateLimit(
    app,
    limiter,
    (request) => scimCounters(request, config),
    (reply, retryAfter) => sendScimError(reply, new ScimTooManyRequests(retryAfter)),
  );
}

function scimCounters(request: FastifyRequest, config: ScimGatewayConfig): RateLimitCounter[] {
  if (isHealthProbe(request.url)) return [];
  const counters: RateLimitCounter[] = [
    { key: `scim-ip:${request.ip}`, limit: config.SCIM_RATE_LIMIT_PER_IP },
  ];
  const token = bearerCredential(request.headers.authorization);
  if (token)
    counters.push({
      key: `scim-token:${digestBearerSecret(token)}`,
      limit: config.SCIM_RATE_LIMIT_PER_TOKEN,
    });
  return counters;
}
