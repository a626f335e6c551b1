import { Module } from '@nestjs/common';
import { ScimAccessAnnouncerModule } from '../scim-tokens/scim-access-announcer';
import { EnabledTenants } from './enabled-tenants';
import { TenantsController } from './tenants.controller';
import { TenantsRepository } from './tenants.repository';
import { TenantsService } from './tenants.service';

/**
 * Tenants: the one home of the tenants table and of the "exists and is enabled" check, which the
 * admin access guard, sign-in and admin tokens import from here. (The controller's AdminAccessGuard
 * finds EnabledTenants in this module itself: AuthModule imports this one, not the other way round.)
 */
@Module({
  imports: [ScimAccessAnnouncerModule],
  controllers: [TenantsController],
  providers: [TenantsRepository, EnabledTenants, TenantsService],
  exports: [TenantsRepository, EnabledTenants],
})
export class TenantsModule {}
