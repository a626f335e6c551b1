import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { AuthModule } from '../auth/auth.module';
import { EventsModule } from '../events/events.module';
import { FoldersModule } from '../folders/folders.module';
import { ProvisioningPolicyModule } from '../provisioning-policy/provisioning-policy.module';
import { SubjectsModule } from '../subjects/subjects.module';
import { GroupCommandsHandler } from './group-commands.handler';
import { ProvisioningCommandsProcessor } from './provisioning-commands.processor';
import { ProvisioningCommandsService } from './provisioning-commands.service';
import { ProvisioningDeadLettersController } from './provisioning-dead-letters.controller';
import { ProvisioningDeadLettersRepository } from './provisioning-dead-letters.repository';
import { ProvisioningOutcomesRepository } from './provisioning-outcomes.repository';
import { UserCommandsHandler } from './user-commands.handler';

/** The worker that applies the SCIM gateway's provisioning commands to subjects and groups. */
@Module({
  imports: [AuthModule, SubjectsModule, EventsModule, FoldersModule, ProvisioningPolicyModule, AuditModule],
  controllers: [ProvisioningDeadLettersController],
  providers: [
    ProvisioningDeadLettersRepository,
    ProvisioningCommandsProcessor,
    ProvisioningCommandsService,
    ProvisioningOutcomesRepository,
    UserCommandsHandler,
    GroupCommandsHandler,
  ],
  // The operator API and just-in-time sign-in write subjects through the same handler (and policy).
  exports: [UserCommandsHandler],
})
export class ProvisioningModule {}
