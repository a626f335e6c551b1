import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { QueueName } from '@app/contracts';
import { EventsModule } from '../events/events.module';
import { SubjectsModule } from '../subjects/subjects.module';
import { GroupCommandsHandler } from './group-commands.handler';
import { ProvisioningCommandsProcessor } from './provisioning-commands.processor';
import { ProvisioningCommandsService } from './provisioning-commands.service';
import { ProvisioningOutcomesRepository } from './provisioning-outcomes.repository';
import { UserCommandsHandler } from './user-commands.handler';

/** The worker that applies the SCIM gateway's provisioning commands to subjects and groups. */
@Module({
  imports: [BullModule.registerQueue({ name: QueueName.ProvisioningCommands }), SubjectsModule, EventsModule],
  providers: [
    ProvisioningCommandsProcessor,
    ProvisioningCommandsService,
    ProvisioningOutcomesRepository,
    UserCommandsHandler,
    GroupCommandsHandler,
  ],
})
export class ProvisioningModule {}
