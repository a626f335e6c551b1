import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { QueueName } from '@app/contracts';
import { ProvisioningClient } from './provisioning-client';

/** The gateway's side of the provisioning queue: it sends commands, IAM's worker applies them. */
@Module({
  imports: [BullModule.registerQueue({ name: QueueName.ProvisioningCommands })],
  providers: [ProvisioningClient],
  exports: [ProvisioningClient],
})
export class ProvisioningClientModule {}
