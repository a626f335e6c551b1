import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { DestinationStream } from 'pino';
import { runMigrationsWithLock } from '@app/database';
import { infrastructureModules } from '@app/platform';
import { AdminTokensModule } from './admin-tokens/admin-tokens.module';
import { AuthModule } from './auth/auth.module';
import { BootstrapModule } from './bootstrap/bootstrap.module';
import { ConsoleModule } from './console/console.module';
import { IamAdminConfig } from './config/iam-admin.config';
import { CryptoModule } from './crypto/crypto.module';
import { DomainsModule } from './domains/domains.module';
import { EventsModule } from './events/events.module';
import { FoldersModule } from './folders/folders.module';
import { AdminExceptionFilter } from './errors/admin-exception.filter';
import { IdentityProvidersModule } from './identity-providers/identity-providers.module';
import { IamMetricsModule } from './metrics/iam-metrics.module';
import { PasswordLoginModule } from './password-login/password-login.module';
import { ProvisioningModule } from './provisioning/provisioning.module';
import { QueueDashboardModule } from './queue-dashboard/queue-dashboard.module';
import { RetentionModule } from './retention/retention.module';
import { ScimConnectionModule } from './scim-connection/scim-connection.module';
import { ScimTokensModule } from './scim-tokens/scim-tokens.module';
import { SsoLoginModule } from './sso-login/sso-login.module';
import { SubjectAdminModule } from './subject-admin/subject-admin.module';
import { SubjectsModule } from './subjects/subjects.module';
import { TenantsModule } from './tenants/tenants.module';
import { WebhooksModule } from './webhooks/webhooks.module';

export interface IamAdminModuleOptions {
  config: IamAdminConfig;
  /** Where log lines go (tests capture them); stdout by default. */
  logDestination?: DestinationStream;
}

@Module({})
export class IamAdminModule {
  static forRoot({ config, logDestination }: IamAdminModuleOptions): DynamicModule {
    return {
      module: IamAdminModule,
      imports: [
        ...infrastructureModules({
          configClass: IamAdminConfig,
          config,
          applicationName: 'iam-admin',
          logDestination,
          // The schema is brought up to date before anything else touches the database.
          onDatabaseReady: runMigrationsWithLock,
        }),
        IamMetricsModule.forRoot(config),
        CryptoModule,
        AuthModule,
        BootstrapModule,
        AdminTokensModule,
        TenantsModule,
        IdentityProvidersModule,
        DomainsModule,
        ScimTokensModule,
        ScimConnectionModule,
        EventsModule,
        ProvisioningModule,
        SubjectsModule,
        FoldersModule,
        SsoLoginModule,
        PasswordLoginModule,
        SubjectAdminModule,
        WebhooksModule,
        RetentionModule,
        ConsoleModule,
        QueueDashboardModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: AdminExceptionFilter }],
    };
  }
}
