import { Module } from '@nestjs/common';
import { ProvisioningClientModule } from '../provisioning/provisioning-client.module';
import { scimResourceProviders } from '../resources/scim-resource.service';
import { ScimAuthModule } from '../scim-auth/scim-auth.module';
import { ScimGroupsController } from './scim-groups.controller';
import { SCIM_GROUPS } from './scim-groups.resource-type';
import { ScimGroupsRepository } from './scim-groups.repository';

@Module({
  imports: [ProvisioningClientModule, ScimAuthModule],
  controllers: [ScimGroupsController],
  providers: scimResourceProviders(SCIM_GROUPS, ScimGroupsRepository),
})
export class ScimGroupsModule {}
