import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { QueueName } from '@app/contracts';
import { ProvisioningClient } from './provisioning-client.service';

@Module({
  imports: [BullModule.registerQueue({ name: QueueName.ProvisioningCommands })],
  providers: [ProvisioningClient],
  exports: [ProvisioningClient],
})
export class ProvisioningModule {}
