import { Module } from '@nestjs/common';
import { ScimAuthGuard } from './scim-auth.guard';
import { ScimTokensService } from './scim-tokens.service';

@Module({ providers: [ScimTokensService, ScimAuthGuard], exports: [ScimTokensService, ScimAuthGuard] })
export class ScimAuthModule {}
