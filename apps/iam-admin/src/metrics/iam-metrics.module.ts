import { DynamicModule, Module } from '@nestjs/common';
import { MetricsModule } from '@app/platform';
import { IamAdminConfig } from '../config/iam-admin.config';
import { EventsModule } from '../events/events.module';
import { IamMetrics } from './iam-metrics';
import { ObservedQueues } from './observed-queues';

/** IAM's Prometheus metrics: the shared ones plus queues, outbox and webhooks. Global: features feed it. */
@Module({})
export class IamMetricsModule {
  static forRoot(config: IamAdminConfig): DynamicModule {
    return {
      module: IamMetricsModule,
      global: true,
      imports: [MetricsModule.forService(config), EventsModule],
      providers: [IamMetrics, ObservedQueues],
      exports: [IamMetrics, ObservedQueues],
    };
  }
}
