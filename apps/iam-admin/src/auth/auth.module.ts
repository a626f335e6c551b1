import { Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { AdminTokensModule } from '../admin-tokens/admin-tokens.module';
import { TenantsModule } from '../tenants/tenants.module';
import { AdminAccessGuard } from './admin-access.guard';
import { AdminTokenStrategy } from './admin-token.strategy';
import { JwtStrategy } from './jwt.strategy';

/**
 * Who calls the admin API (the bearer strategies) and what they may do (AdminAccessGuard). A
 * feature whose controllers use @AdminAccess imports this module: it brings the guard and, by
 * re-exporting TenantsModule, the tenant check the guard runs in that feature's module.
 * IamTokenStrategy (IAM's own access tokens) is registered by SsoLoginModule, which has their verifier.
 */
@Module({
  imports: [PassportModule, TenantsModule, AdminTokensModule],
  providers: [AdminTokenStrategy, JwtStrategy, AdminAccessGuard],
  exports: [AdminAccessGuard, TenantsModule],
})
export class AuthModule {}
