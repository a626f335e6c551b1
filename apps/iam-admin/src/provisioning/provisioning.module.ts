import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { QueueName } from '@app/contracts';
import { ProvisioningCommandsProcessor } from './provisioning-commands.processor';
import { ProvisioningCommandsService } from './provisioning-commands.service';
import { ProvisioningOutcomesRepository } from './provisioning-outcomes.repository';
import { SubjectsRepository } from './subjects.repository';

@Module({
  imports: [BullModule.registerQueue({ name: QueueName.ProvisioningCommands })],
  providers: [
    ProvisioningCommandsProcessor,
    ProvisioningCommandsService,
    ProvisioningOutcomesRepository,
    SubjectsRepository,
  ],
})
export class ProvisioningModule {}
