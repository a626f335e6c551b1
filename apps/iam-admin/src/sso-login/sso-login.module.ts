import { Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { IamTokenStrategy } from '../auth/iam-token.strategy';
import { CryptoModule } from '../crypto/crypto.module';
import { EventsModule } from '../events/events.module';
import { IdentityProvidersModule } from '../identity-providers/identity-providers.module';
import { OutboundModule } from '../outbound/outbound.module';
import { CredentialsModule } from '../password-login/credentials.module';
import { ProvisioningModule } from '../provisioning/provisioning.module';
import { SubjectsModule } from '../subjects/subjects.module';
import { TenantsModule } from '../tenants/tenants.module';
import { BrowserBindingCookie } from './browser-binding';
import { EntraOidcStrategy } from './entra-oidc.strategy';
import { IamTokensService } from './iam-tokens.service';
import { LoginController } from './login.controller';
import { LoginStateStore } from './login-state.store';
import { OidcClientsService } from './oidc-clients.service';
import { SigningKeysRepository } from './signing-keys.repository';
import { SigningKeysService } from './signing-keys.service';
import { SsoLoginService } from './sso-login.service';
import { SubjectResolverService } from './subject-resolver.service';
import { WellKnownController } from './well-known.controller';

/** Sign-in with a tenant's Entra ID provider, and IAM's own access tokens (JWKS, session, logout). */
@Module({
  imports: [
    PassportModule,
    TenantsModule,
    IdentityProvidersModule,
    SubjectsModule,
    EventsModule,
    CryptoModule,
    OutboundModule,
    ProvisioningModule,
    CredentialsModule,
  ],
  controllers: [LoginController, WellKnownController],
  providers: [
    EntraOidcStrategy,
    BrowserBindingCookie,
    SsoLoginService,
    OidcClientsService,
    LoginStateStore,
    SubjectResolverService,
    SigningKeysRepository,
    SigningKeysService,
    IamTokensService,
    // The admin API's bearer strategy for IAM's own tokens lives beside the others in auth/, but is
    // registered here, where IamTokensService is (AuthModule importing this module would be a cycle).
    IamTokenStrategy,
  ],
  // Password sign-in issues the same access tokens.
  exports: [IamTokensService],
})
export class SsoLoginModule {}
