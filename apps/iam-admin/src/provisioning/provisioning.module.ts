import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { QueueName } from '@app/contracts';
import { GroupCommandsHandler } from './group-commands.handler';
import { GroupsRepository } from './groups.repository';
import { ProvisioningCommandsProcessor } from './provisioning-commands.processor';
import { ProvisioningCommandsService } from './provisioning-commands.service';
import { ProvisioningOutcomesRepository } from './provisioning-outcomes.repository';
import { SubjectsRepository } from './subjects.repository';
import { UserCommandsHandler } from './user-commands.handler';

@Module({
  imports: [BullModule.registerQueue({ name: QueueName.ProvisioningCommands })],
  providers: [
    ProvisioningCommandsProcessor,
    ProvisioningCommandsService,
    ProvisioningOutcomesRepository,
    SubjectsRepository,
    GroupsRepository,
    UserCommandsHandler,
    GroupCommandsHandler,
  ],
  exports: [SubjectsRepository],
})
export class ProvisioningModule {}
