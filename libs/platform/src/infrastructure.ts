import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Type } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { DestinationStream } from 'pino';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '@app/database';
import { TypedConfigModule } from './config.module';
import { HealthModule } from './health/health.module';
import { loggingModule } from './logging';
import { redisConnection } from './redis';
import { RedisClientModule } from './redis-client.module';
import { ServiceConfig } from './service-config';

export interface InfrastructureOptions<C extends ServiceConfig> {
  configClass: Type<C>;
  config: C;
  /** Shown in pg_stat_activity. */
  applicationName: string;
  logDestination?: DestinationStream;
  /** Runs once the database is connected, before anything else uses it (the IAM service migrates here). */
  onDatabaseReady?: (dataSource: DataSource) => Promise<unknown>;
}

/** What every service stands on: typed config, logs, PostgreSQL, BullMQ and Redis, health endpoints. */
export function infrastructureModules<C extends ServiceConfig>(
  options: InfrastructureOptions<C>,
): DynamicModule[] {
  const { config } = options;
  return [
    TypedConfigModule.with(options.configClass, config),
    loggingModule({
      level: config.LOG_LEVEL,
      personalData: config.LOG_PERSONAL_DATA,
      destination: options.logDestination,
    }),
    TypeOrmModule.forRootAsync({
      useFactory: () =>
        dataSourceOptions({
          url: config.DATABASE_URL,
          poolSize: config.DATABASE_POOL_SIZE,
          applicationName: options.applicationName,
          statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
          idleInTransactionTimeoutMs: config.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS,
          preparedStatements: config.DATABASE_PREPARED_STATEMENTS,
        }),
      dataSourceFactory: async (dataSourceOptions) => {
        const dataSource = await new DataSource(dataSourceOptions!).initialize();
        await options.onDatabaseReady?.(dataSource);
        return dataSource;
      },
    }),
    BullModule.forRoot({ connection: redisConnection(config.REDIS_URL), prefix: config.QUEUE_PREFIX }),
    RedisClientModule.forUrl(config.REDIS_URL),
    { module: HealthModule },
  ];
}
