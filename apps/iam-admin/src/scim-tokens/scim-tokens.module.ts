import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { ScimAccessAnnouncerModule } from './scim-access-announcer';
import { ScimTokensController } from './scim-tokens.controller';
import { ScimTokensRepository } from './scim-tokens.repository';
import { ScimTokensService } from './scim-tokens.service';

/** SCIM tokens: the /v1/scim API and the one home of the scim_tokens table. */
@Module({
  imports: [AuthModule, ScimAccessAnnouncerModule],
  controllers: [ScimTokensController],
  providers: [ScimTokensRepository, ScimTokensService],
  exports: [ScimTokensRepository],
})
export class ScimTokensModule {}
