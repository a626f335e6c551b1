import { Module } from '@nestjs/common';
import { ScimAuthGuard } from './scim-auth.guard';
import { ScimTokenLookupRepository } from './scim-token-lookup.repository';
import { ScimTokenVerifier } from './scim-token-verifier';

@Module({
  providers: [ScimTokenLookupRepository, ScimTokenVerifier, ScimAuthGuard],
  exports: [ScimTokenVerifier, ScimAuthGuard],
})
export class ScimAuthModule {}
