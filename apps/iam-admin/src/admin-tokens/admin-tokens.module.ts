import { Module } from '@nestjs/common';
import { TenantsModule } from '../tenants/tenants.module';
import { AdminTokensController } from './admin-tokens.controller';
import { AdminTokensRepository } from './admin-tokens.repository';
import { AdminTokensService } from './admin-tokens.service';

/**
 * Admin tokens: the one home of the admin_tokens table (AuthModule authenticates with the
 * repository; bootstrap and recovery mint platform tokens with it) and the /v1/admin-tokens API.
 * Imports TenantsModule rather than AuthModule (which imports this one) for its AdminAccessGuard.
 */
@Module({
  imports: [TenantsModule],
  controllers: [AdminTokensController],
  providers: [AdminTokensRepository, AdminTokensService],
  exports: [AdminTokensRepository],
})
export class AdminTokensModule {}
