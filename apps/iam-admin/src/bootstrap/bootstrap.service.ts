import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AdminTokensRepository } from '../admin-tokens/admin-tokens.repository';
import {
  insertPlatformAdminToken,
  workingPlatformAdminTokenIds,
} from '../admin-tokens/platform-admin-tokens';
import { IamAdminConfig } from '../config/iam-admin.config';
import { TenantsRepository } from '../tenants/tenants.repository';
import { InstallationRepository } from './installation.repository';

/**
 * First start of an empty installation: creates the default tenant and a platform-level admin
 * token, taken from IAM_BOOTSTRAP_ADMIN_TOKEN (its iamadm_ prefix checked with the configuration) or
 * generated and printed once, and records that the installation is bootstrapped. Later starts do
 * nothing, even once every admin token is gone: an old IAM_BOOTSTRAP_ADMIN_TOKEN left in the
 * environment never comes back. Lost every platform token? `npm run admin:recover`.
 */
@Injectable()
export class BootstrapService implements OnApplicationBootstrap {
  private readonly logger = new Logger(BootstrapService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: IamAdminConfig,
    private readonly installation: InstallationRepository,
    private readonly tenants: TenantsRepository,
    private readonly tokens: AdminTokensRepository,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const generated = await this.dataSource.transaction(async (em) => {
      if ((await this.installation.lock(em)).bootstrapped) {
        if (this.config.IAM_BOOTSTRAP_ADMIN_TOKEN) {
          this.logger.warn('IAM_BOOTSTRAP_ADMIN_TOKEN is ignored: this installation is bootstrapped already');
        }
        if ((await workingPlatformAdminTokenIds(this.tokens, em)).length === 0) {
          this.logger.warn(
            'no working platform admin token is left: run npm run admin:recover with database access',
          );
        }
        return undefined;
      }
      const tenant =
        (await this.tenants.findDefault(em)) ??
        (await this.tenants.insert(em, { displayName: 'Default tenant', isDefault: true }));
      const { token } = await insertPlatformAdminToken(this.tokens, em, {
        description: 'bootstrap admin token',
        createdBy: 'bootstrap',
        token: this.config.IAM_BOOTSTRAP_ADMIN_TOKEN,
      });
      await this.installation.markBootstrapped(em);
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
