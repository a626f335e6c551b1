import { Type } from 'class-transformer';
import { IsIn, IsInt, IsString, Matches, Min } from 'class-validator';

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

  @Matches(/^rediss?:\/\/\S+$/, { message: 'REDIS_URL must be a redis:// URL' })
  REDIS_URL = 'redis://127.0.0.1:6379';

  /** Redis key prefix for queues, streams and caches, so several installations (or test runs) can share one Redis. */
  @Matches(/^[A-Za-z0-9:_-]+$/)
  QUEUE_PREFIX = 'iam';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';
}
