import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Min } from 'class-validator';
import { parseBoolean } from './config';

/** The variables both services read: where they listen, their database, Redis and logging. */
export class ServiceConfig {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @IsString()
  HOST = '0.0.0.0';

  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL: string;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  DATABASE_POOL_SIZE = 10;

  /**
   * Longest a single SQL statement may run before PostgreSQL cancels it (0 = no limit): a runaway
   * query fails with a clear answer instead of holding a pooled connection. The gateway sets a lower default.
   */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  DATABASE_STATEMENT_TIMEOUT_MS = 30000;

  /** A session idle inside an open transaction this long is ended by PostgreSQL (0 = no limit): its locks go. */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS = 60000;

  /**
   * Repeated statements run as named prepared statements, parsed and planned once per connection
   * (SCIM reads ~1.8× faster on the bench). Off by default: PostgreSQL keeps such a generic plan
   * until the tables' statistics change, so with autovacuum off or late a plan made while a table was
   * small outlives its growth (measured: a group read planned while group_members was nearly empty
   * ran past the 5 s statement timeout once the group had 10,500 members). Turn it on where
   * autovacuum keeps statistics current, and not behind a pooler that cannot keep prepared
   * statements (PgBouncer in transaction mode before 1.21, or without max_prepared_statements).
   */
  @Transform(({ obj }: { obj: Record<string, unknown> }) =>
    parseBoolean(obj.DATABASE_PREPARED_STATEMENTS, false),
  )
  @IsBoolean()
  DATABASE_PREPARED_STATEMENTS = false;

  @Matches(/^rediss?:\/\/\S+$/, { message: 'REDIS_URL must be a redis:// URL' })
  REDIS_URL = 'redis://127.0.0.1:6379';

  /**
   * Redis key prefix for queues, streams and caches, so several installations (or test runs) can share one Redis.
   * It may start with a Redis Cluster hash tag (`{iam}`): every key then lands in one slot, as BullMQ needs.
   */
  @Matches(/^(?=.)(\{[A-Za-z0-9:_-]+\})?[A-Za-z0-9:_-]*$/, {
    message: 'QUEUE_PREFIX must be letters, digits, ":", "_" or "-", optionally starting with a {hash tag}',
  })
  QUEUE_PREFIX = 'iam';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /**
   * Request logs carry no personal data by default: query values, SQL parameters and values quoted
   * in error messages are replaced by `[redacted]`. `true` logs them, for debugging only.
   */
  @Transform(({ obj }: { obj: Record<string, unknown> }) => parseBoolean(obj.LOG_PERSONAL_DATA, false))
  @IsBoolean()
  LOG_PERSONAL_DATA = false;

  /**
   * Which proxies may set X-Forwarded-For/-Proto (client address for rate limits, https in SCIM
   * locations): a hop count, or comma-separated addresses/CIDRs. Unset: none, the socket's peer is the client.
   */
  @IsOptional()
  @Matches(/^(\d{1,2}|[0-9A-Fa-f.:/]+(\s*,\s*[0-9A-Fa-f.:/]+)*)?$/, {
    message: 'TRUST_PROXY must be a hop count or comma-separated proxy addresses/CIDRs',
  })
  TRUST_PROXY?: string;

  /** A request whose headers and body have not fully arrived by then is answered 408 (slow-client protection). */
  @Type(() => Number)
  @IsInt()
  @Min(1000)
  HTTP_REQUEST_TIMEOUT_MS = 30000;

  /**
   * Bearer token Prometheus presents at `GET /metrics`; unset, the endpoint is off (404). At least
   * 16 characters: the series tell load and failure patterns of every tenant together.
   */
  @IsOptional()
  @Matches(/^\S{16,}$/, { message: 'METRICS_TOKEN must be at least 16 characters without spaces' })
  METRICS_TOKEN?: string;
}
