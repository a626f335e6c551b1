import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { DestinationStream } from 'pino';
import { infrastructureModules } from '@app/platform';
import { ScimGatewayConfig } from './config/scim-gateway.config';
import { ScimDiscoveryModule } from './discovery/scim-discovery.module';
import { ScimMetricsModule } from './metrics/scim-metrics.module';
import { ScimExceptionFilter } from './scim-http/scim-exception.filter';
import { ScimGroupsModule } from './groups/scim-groups.module';
import { ScimUsersModule } from './users/scim-users.module';
import { TenantReadGateModule } from './resources/tenant-read-gate';

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
        // No migrations here: the IAM service owns the schema; the gateway reads it.
        ...infrastructureModules({
          configClass: ScimGatewayConfig,
          config,
          applicationName: 'scim-gateway',
          logDestination,
        }),
        ScimMetricsModule.forRoot(config),
        TenantReadGateModule,
        ScimUsersModule,
        ScimGroupsModule,
        ScimDiscoveryModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: ScimExceptionFilter }],
    };
  }
}
