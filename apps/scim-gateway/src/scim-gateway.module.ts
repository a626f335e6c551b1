import { DynamicModule, Module } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { DestinationStream } from 'pino';
import { QueueName } from '@app/contracts';
import { dataSourceOptions } from '@app/database';
import {
  HealthModule,
  loggingModule,
  redisConnection,
  RedisClientModule,
  TypedConfigModule,
} from '@app/platform';
import { ScimGatewayConfig } from './config/scim-gateway.config';

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
        BullModule.registerQueue({ name: QueueName.ProvisioningCommands }),
        RedisClientModule.forUrl(config.REDIS_URL),
        HealthModule,
      ],
    };
  }
}
