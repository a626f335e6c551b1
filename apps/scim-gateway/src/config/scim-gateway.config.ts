import { ServiceConfig } from '@app/platform';
import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';

/** Every environment variable the SCIM gateway reads; `.env.example` lists them with defaults. */
export class ScimGatewayConfig extends ServiceConfig {
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(65535)
  SCIM_PORT = 3001;

  /** Largest SCIM request body in bytes; larger ones get 413. */
  @Type(() => Number)
  @IsInt()
  @Min(1024)
  SCIM_MAX_BODY_BYTES = 1024 * 1024;

  /** How long a SCIM write waits for IAM to apply its command before answering 503 + Retry-After. */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  SCIM_COMMAND_TIMEOUT_MS = 15000;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  SCIM_RETRY_AFTER_SECONDS = 5;

  /** Largest page a list or search returns (advertised as filter.maxResults). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10000)
  SCIM_MAX_RESULTS = 1000;

  /** How long a checked SCIM token is trusted from memory; revocations also drop it at once via Redis. */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  SCIM_TOKEN_CACHE_TTL_MS = 30000;

  /** How often token lastUsedAt is written (one batched UPDATE, never a write per request). */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  SCIM_LAST_USED_FLUSH_MS = 30000;

  /**
   * SCIM requests per minute per token (counted by token digest), then 429 + Retry-After; 0 = no limit.
   * Entra needs about 25/s per tenant; 12,000/min (200/s) never trips a first sync of thousands of users.
   */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  SCIM_RATE_LIMIT_PER_TOKEN = 12000;

  /**
   * SCIM requests per minute per client address, whatever the token (a spray of made-up tokens);
   * 0 = no limit. Entra calls from shared addresses, so keep it well above the per-token limit.
   */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  SCIM_RATE_LIMIT_PER_IP = 60000;

  /** SCIM reads are single statements over indexes: one still running after 5 s is a filter to refuse. */
  override DATABASE_STATEMENT_TIMEOUT_MS = 5000;

  /**
   * Members a Group read lists at most (GET /Groups, GET /Groups/{id}); a larger group lists its
   * first ones and the answer carries `Scim-Members-Truncated`. All members page through
   * `GET /Users?filter=groups.value eq "<group id>"`. Entra never reads members back.
   */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  SCIM_GROUP_MEMBERS_MAX = 1000;

  /**
   * SCIM database reads one tenant may run at once in this gateway (0 = no limit): one tenant's
   * expensive filters cannot take every pooled connection. Keep it below DATABASE_POOL_SIZE.
   */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  SCIM_TENANT_READ_CONCURRENCY = 4;

  /** How long a tenant's read waits for one of its slots before 503 + Retry-After. */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  SCIM_TENANT_READ_WAIT_MS = 2000;
}
