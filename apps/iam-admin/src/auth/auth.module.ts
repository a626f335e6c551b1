import { Global, Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TenantEntity } from '@app/database';
import { AdminAccessGuard } from './admin-access.guard';
import { AdminTokenStrategy } from './admin-token.strategy';
import { JwtStrategy } from './jwt.strategy';

@Global()
@Module({
  imports: [PassportModule, TypeOrmModule.forFeature([TenantEntity])],
  providers: [AdminTokenStrategy, JwtStrategy, AdminAccessGuard],
  exports: [AdminAccessGuard, TypeOrmModule],
})
export class AuthModule {}
