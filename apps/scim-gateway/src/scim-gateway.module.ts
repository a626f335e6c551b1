import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { BullModule } from '@nestjs/bullmq';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { DestinationStream } from 'pino';
import { dataSourceOptions } from '@app/database';
import {
  HealthModule,
  loggingModule,
  redisConnection,
  RedisClientModule,
  TypedConfigModule,
} from '@app/platform';
import { ScimGatewayConfig } from './config/scim-gateway.config';
import { DiscoveryModule } from './discovery/discovery.module';
import { ScimExceptionFilter } from './scim-http/scim-exception.filter';
import { GroupsModule } from './groups/groups.module';
import { UsersModule } from './users/users.module';

export interface ScimGatewayModuleOptions {
  config: ScimGatewayConfig;
  logDestination?: DestinationStream;
}

@Module({})
export class ScimGatewayModule {
  static forRoot({ config, logDestination }: ScimGatewayModuleOptions): DynamicModule {
    return {
      module: ScimGatewayModule,
      imports: [
        TypedConfigModule.with(ScimGatewayConfig, config),
        loggingModule({ level: config.LOG_LEVEL, destination: logDestination }),
        // No migrations here: the IAM service owns the schema; the gateway reads it.
        TypeOrmModule.forRoot(
          dataSourceOptions({
            url: config.DATABASE_URL,
            poolSize: config.DATABASE_POOL_SIZE,
            applicationName: 'scim-gateway',
          }),
        ),
        BullModule.forRoot({ connection: redisConnection(config.REDIS_URL), prefix: config.QUEUE_PREFIX }),
        RedisClientModule.forUrl(config.REDIS_URL),
        HealthModule,
        UsersModule,
        GroupsModule,
        DiscoveryModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: ScimExceptionFilter }],
    };
  }
}
