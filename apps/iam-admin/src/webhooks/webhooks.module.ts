import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { WEBHOOK_DELIVERIES_QUEUE } from '@app/contracts';
import { OutboundAddressPolicy } from '@app/platform';
import { IamAdminConfig } from '../config/iam-admin.config';
import { WebhookDeliveryProcessor } from './webhook-delivery.processor';
import { WebhookDispatcherService } from './webhook-dispatcher.service';
import { WebhooksController } from './webhooks.controller';
import { WebhooksRepository } from './webhooks.repository';
import { WebhooksService } from './webhooks.service';

@Module({
  imports: [BullModule.registerQueue({ name: WEBHOOK_DELIVERIES_QUEUE })],
  controllers: [WebhooksController],
  providers: [
    WebhooksService,
    WebhooksRepository,
    WebhookDispatcherService,
    WebhookDeliveryProcessor,
    {
      provide: OutboundAddressPolicy,
      useFactory: (config: IamAdminConfig) => new OutboundAddressPolicy(config),
      inject: [IamAdminConfig],
    },
  ],
})
export class WebhooksModule {}
