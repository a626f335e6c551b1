import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { EventsModule } from '../events/events.module';
import { FoldersModule } from '../folders/folders.module';
import { CredentialsModule } from '../password-login/credentials.module';
import { GroupsController } from './groups.controller';
import { GroupsRepository } from './groups.repository';
import { MembershipsRepository } from './memberships.repository';
import { SubjectsController } from './subjects.controller';
import { SubjectsRepository } from './subjects.repository';
import { SubjectsService } from './subjects.service';

/**
 * The people and groups of a tenant: the one home of the subjects, groups and group_members tables
 * (provisioning writes them, sign-in binds and creates subjects, operators read them here).
 */
@Module({
  imports: [AuthModule, FoldersModule, CredentialsModule, EventsModule],
  controllers: [SubjectsController, GroupsController],
  providers: [SubjectsRepository, GroupsRepository, MembershipsRepository, SubjectsService],
  exports: [SubjectsRepository, GroupsRepository, MembershipsRepository],
})
export class SubjectsModule {}
