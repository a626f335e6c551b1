import { Module } from '@nestjs/common';
import { SsoLoginModule } from '../sso-login/sso-login.module';
import { SubjectsModule } from '../subjects/subjects.module';
import { TenantsModule } from '../tenants/tenants.module';
import { CredentialsModule } from './credentials.module';
import { PasswordLoginController } from './password-login.controller';
import { PasswordLoginService } from './password-login.service';

/** The platform's built-in authentication: invitations accepted, password sign-in with lockout. */
@Module({
  imports: [TenantsModule, SubjectsModule, CredentialsModule, SsoLoginModule],
  controllers: [PasswordLoginController],
  providers: [PasswordLoginService],
})
export class PasswordLoginModule {}
