import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AdminTokenEntity, TenantEntity } from '@app/database';
import { digestBearerSecret, generateBearerSecret, SECRET_PREFIX } from '@app/platform';
import { AdminPermission } from '../auth/admin-principal';
import { IamAdminConfig } from '../config/iam-admin.config';

const BOOTSTRAP_LOCK_KEY = 76_437_645;

/**
 * First start of an empty installation: creates the default tenant and a platform-level admin
 * token, taken from IAM_BOOTSTRAP_ADMIN_TOKEN (its iamadm_ prefix checked with the configuration) or
 * generated and printed once. Later starts do nothing, even once the bootstrap token is revoked: an
 * old IAM_BOOTSTRAP_ADMIN_TOKEN left in the environment never comes back.
 */
@Injectable()
export class BootstrapService implements OnApplicationBootstrap {
  private readonly logger = new Logger(BootstrapService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: IamAdminConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const generated = await this.dataSource.transaction(async (em) => {
      await em.query('SELECT pg_advisory_xact_lock($1)', [BOOTSTRAP_LOCK_KEY]);
      if ((await em.count(AdminTokenEntity)) > 0) return undefined;
      let tenant = await em.findOneBy(TenantEntity, { isDefault: true });
      tenant ??= await em.save(em.create(TenantEntity, { displayName: 'Default tenant', isDefault: true }));
      const token = this.config.IAM_BOOTSTRAP_ADMIN_TOKEN ?? generateBearerSecret(SECRET_PREFIX.adminToken);
      await em.save(
        em.create(AdminTokenEntity, {
          tokenHash: digestBearerSecret(token),
          description: 'bootstrap admin token',
          tenantId: null,
          permissions: [AdminPermission.PlatformAdmin, AdminPermission.IamAdmin],
          tokenHint: token.slice(-4),
          createdBy: 'bootstrap',
        }),
      );
      this.logger.log(
        { defaultTenantId: tenant.id },
        'installation bootstrapped: default tenant and admin token',
      );
      return this.config.IAM_BOOTSTRAP_ADMIN_TOKEN ? undefined : { token, tenantId: tenant.id };
    });
    if (generated) {
      // Printed straight to the terminal once, never through the logger: log lines are shipped and kept.
      process.stdout.write(
        `\n  Bootstrap admin token (shown once, store it now): ${generated.token}\n` +
          `  Default tenant id: ${generated.tenantId}\n\n`,
      );
    }
  }
}
