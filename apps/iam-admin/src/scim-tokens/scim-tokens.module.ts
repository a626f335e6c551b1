import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ScimTokenEntity } from '@app/database';
import { IdentityProvidersModule } from '../identity-providers/identity-providers.module';
import { ScimAccessAnnouncerModule } from './scim-access-announcer';
import { ScimTokensController } from './scim-tokens.controller';
import { ScimTokensService } from './scim-tokens.service';

@Module({
  imports: [TypeOrmModule.forFeature([ScimTokenEntity]), IdentityProvidersModule, ScimAccessAnnouncerModule],
  controllers: [ScimTokensController],
  providers: [ScimTokensService],
})
export class ScimTokensModule {}
