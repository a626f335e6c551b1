import { Module } from '@nestjs/common';
import { TenantConfigCacheService } from './tenant-config-cache.service';
import { TenantConfigNotificationsRepository } from './tenant-config-notifications.repository';

/** Per-tenant configuration kept in memory, dropped on every change any IAM instance commits. */
@Module({
  providers: [TenantConfigCacheService, TenantConfigNotificationsRepository],
  exports: [TenantConfigCacheService],
})
export class TenantConfigCacheModule {}
