import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { IamTokensService } from './iam-tokens.service';
import { SigningKeysService } from './signing-keys.service';

/** How internal services verify IAM access tokens: the issuer and its public keys. */
@ApiTags('login')
@Controller('.well-known')
export class WellKnownController {
  constructor(
    private readonly keys: SigningKeysService,
    private readonly tokens: IamTokensService,
  ) {}

  @Get('jwks.json')
  jwks(): { keys: unknown[] } {
    return this.keys.publicJwks();
  }

  @Get('openid-configuration')
  configuration(): Record<string, unknown> {
    const issuer = this.tokens.issuer();
    return {
      issuer,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      id_token_signing_alg_values_supported: ['RS256'],
    };
  }
}
