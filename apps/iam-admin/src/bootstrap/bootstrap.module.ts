import { Module } from '@nestjs/common';
import { AdminTokensModule } from '../admin-tokens/admin-tokens.module';
import { TenantsModule } from '../tenants/tenants.module';
import { BootstrapService } from './bootstrap.service';
import { InstallationRepository } from './installation.repository';

/** The first start of an installation: default tenant and platform admin token, once. */
@Module({
  imports: [TenantsModule, AdminTokensModule],
  providers: [BootstrapService, InstallationRepository],
})
export class BootstrapModule {}
