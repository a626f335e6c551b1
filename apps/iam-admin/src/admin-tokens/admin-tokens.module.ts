import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AdminTokenEntity, TenantEntity } from '@app/database';
import { AdminTokensController } from './admin-tokens.controller';
import { AdminTokensService } from './admin-tokens.service';

@Module({
  imports: [TypeOrmModule.forFeature([AdminTokenEntity, TenantEntity])],
  controllers: [AdminTokensController],
  providers: [AdminTokensService],
})
export class AdminTokensModule {}
