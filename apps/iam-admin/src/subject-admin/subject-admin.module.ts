import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { AuthModule } from '../auth/auth.module';
import { EventsModule } from '../events/events.module';
import { CredentialsModule } from '../password-login/credentials.module';
import { ProvisioningModule } from '../provisioning/provisioning.module';
import { SubjectsModule } from '../subjects/subjects.module';
import { SubjectWritesController } from './subject-writes.controller';
import { SubjectWritesService } from './subject-writes.service';

/**
 * Operator writes on subjects. A module of its own: it needs the provisioning handlers, and
 * provisioning needs SubjectsModule, so the subjects module cannot host it.
 */
@Module({
  imports: [AuditModule, AuthModule, SubjectsModule, ProvisioningModule, EventsModule, CredentialsModule],
  controllers: [SubjectWritesController],
  providers: [SubjectWritesService],
})
export class SubjectAdminModule {}
