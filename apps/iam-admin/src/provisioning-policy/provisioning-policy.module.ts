import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { AuthModule } from '../auth/auth.module';
import { DomainsModule } from '../domains/domains.module';
import { EventsModule } from '../events/events.module';
import { FoldersModule } from '../folders/folders.module';
import { IdentityProvidersModule } from '../identity-providers/identity-providers.module';
import { TenantConfigCacheModule } from '../tenant-config-cache/tenant-config-cache.module';
import { ProvisioningPolicyService } from './provisioning-policy.service';
import { ProvisioningSettingsController } from './provisioning-settings.controller';
import { ProvisioningSettingsRepository } from './provisioning-settings.repository';
import { ProvisioningSettingsService } from './provisioning-settings.service';

/**
 * The tenant's provisioning policy: its settings (/v1/provisioning/settings, owns
 * provisioning_settings) and the policy the user command handler applies to every write.
 */
@Module({
  imports: [
    AuditModule,
    AuthModule,
    DomainsModule,
    EventsModule,
    FoldersModule,
    IdentityProvidersModule,
    TenantConfigCacheModule,
  ],
  controllers: [ProvisioningSettingsController],
  providers: [ProvisioningSettingsRepository, ProvisioningSettingsService, ProvisioningPolicyService],
  exports: [ProvisioningPolicyService, ProvisioningSettingsRepository],
})
export class ProvisioningPolicyModule {}
