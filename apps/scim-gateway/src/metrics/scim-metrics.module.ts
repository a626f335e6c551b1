import { DynamicModule, Module } from '@nestjs/common';
import { MetricsModule } from '@app/platform';
import { ScimGatewayConfig } from '../config/scim-gateway.config';
import { ScimMetrics } from './scim-metrics';

/** The gateway's Prometheus metrics: the shared ones plus SCIM operations and token cache use. */
@Module({})
export class ScimMetricsModule {
  static forRoot(config: ScimGatewayConfig): DynamicModule {
    return {
      module: ScimMetricsModule,
      global: true,
      imports: [MetricsModule.forService(config)],
      providers: [ScimMetrics],
      exports: [ScimMetrics],
    };
  }
}
