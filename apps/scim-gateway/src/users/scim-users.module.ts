import { Module } from '@nestjs/common';
import { ProvisioningClientModule } from '../provisioning/provisioning-client.module';
import { scimResourceProviders } from '../resources/scim-resource.service';
import { ScimAuthModule } from '../scim-auth/scim-auth.module';
import { ScimUsersController } from './scim-users.controller';
import { SCIM_USERS } from './scim-users.resource-type';
import { ScimUsersRepository } from './scim-users.repository';

@Module({
  imports: [ProvisioningClientModule, ScimAuthModule],
  controllers: [ScimUsersController],
  providers: scimResourceProviders(SCIM_USERS, ScimUsersRepository),
})
export class ScimUsersModule {}
