import { Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import { IdentityProviderEntity, TenantEntity } from '@app/database';
import { EventsModule } from '../events/events.module';
import { OutboundModule } from '../outbound/outbound.module';
import { SubjectsModule } from '../subjects/subjects.module';
import { BrowserBindingCookie } from './browser-binding';
import { EntraOidcStrategy } from './entra-oidc.strategy';
import { IamTokensService } from './iam-tokens.service';
import { LoginController } from './login.controller';
import { LoginStateStore } from './login-state.store';
import { OidcClientsService } from './oidc-clients.service';
import { SigningKeysService } from './signing-keys.service';
import { SsoLoginService } from './sso-login.service';
import { SubjectResolverService } from './subject-resolver.service';
import { WellKnownController } from './well-known.controller';

@Module({
  imports: [
    PassportModule,
    TypeOrmModule.forFeature([IdentityProviderEntity, TenantEntity]),
    SubjectsModule,
    EventsModule,
    OutboundModule,
  ],
  controllers: [LoginController, WellKnownController],
  providers: [
    EntraOidcStrategy,
    BrowserBindingCookie,
    SsoLoginService,
    OidcClientsService,
    LoginStateStore,
    SubjectResolverService,
    SigningKeysService,
    IamTokensService,
  ],
})
export class SsoLoginModule {}
