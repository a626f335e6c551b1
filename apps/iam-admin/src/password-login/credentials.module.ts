import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module';
import { LoginMethodsService } from './login-methods.service';
import { PasswordHasher } from './password-hasher';
import { SubjectCredentialsRepository } from './subject-credentials.repository';

/**
 * Subjects' login methods and built-in credentials (owns subject_credentials): used by operator
 * writes, Entra sign-in (which refuses built-in users) and password sign-in.
 */
@Module({
  imports: [EventsModule],
  providers: [SubjectCredentialsRepository, LoginMethodsService, PasswordHasher],
  exports: [SubjectCredentialsRepository, LoginMethodsService, PasswordHasher],
})
export class CredentialsModule {}
