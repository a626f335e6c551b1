import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { CryptoModule } from '../crypto/crypto.module';
import { OutboundModule } from '../outbound/outbound.module';
import { ScimAccessAnnouncerModule } from '../scim-tokens/scim-access-announcer';
import { ScimTokensModule } from '../scim-tokens/scim-tokens.module';
import { TenantConfigCacheModule } from '../tenant-config-cache/tenant-config-cache.module';
import { ConnectorDetails } from './connector-details';
import { IdentityProvidersController } from './identity-providers.controller';
import { IdentityProvidersRepository } from './identity-providers.repository';
import { IdentityProvidersService } from './identity-providers.service';

/** SSO identity providers: the /v1/sso/azuread API and the one home of the identity_providers table. */
@Module({
  imports: [
    AuthModule,
    CryptoModule,
    ScimTokensModule,
    ScimAccessAnnouncerModule,
    OutboundModule,
    TenantConfigCacheModule,
  ],
  controllers: [IdentityProvidersController],
  providers: [IdentityProvidersRepository, IdentityProvidersService, ConnectorDetails],
  exports: [IdentityProvidersRepository],
})
export class IdentityProvidersModule {}
