import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TenantEntity } from '@app/database';
import { ScimAccessAnnouncerModule } from '../scim-tokens/scim-access-announcer';
import { TenantsController } from './tenants.controller';
import { TenantsService } from './tenants.service';

@Module({
  imports: [TypeOrmModule.forFeature([TenantEntity]), ScimAccessAnnouncerModule],
  controllers: [TenantsController],
  providers: [TenantsService],
})
export class TenantsModule {}
