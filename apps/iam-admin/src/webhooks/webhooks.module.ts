import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { WEBHOOK_DELIVERIES_QUEUE } from '@app/contracts';
import { AuthModule } from '../auth/auth.module';
import { CryptoModule } from '../crypto/crypto.module';
import { EventsModule } from '../events/events.module';
import { OutboundModule } from '../outbound/outbound.module';
import { TenantConfigCacheModule } from '../tenant-config-cache/tenant-config-cache.module';
import { WebhookDeliveryProcessor } from './webhook-delivery.processor';
import { WebhookDispatcherService } from './webhook-dispatcher.service';
import { WebhooksController } from './webhooks.controller';
import { WebhooksRepository } from './webhooks.repository';
import { WebhooksService } from './webhooks.service';

@Module({
  imports: [
    BullModule.registerQueue({ name: WEBHOOK_DELIVERIES_QUEUE }),
    AuthModule,
    CryptoModule,
    EventsModule,
    OutboundModule,
    TenantConfigCacheModule,
  ],
  controllers: [WebhooksController],
  providers: [WebhooksService, WebhooksRepository, WebhookDispatcherService, WebhookDeliveryProcessor],
})
export class WebhooksModule {}
