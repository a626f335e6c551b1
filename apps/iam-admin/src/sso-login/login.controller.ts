import {
  Controller,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  Req,
  Res,
  UnauthorizedException,
  UseGuards,
} from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LoginOutcome } from './entra-oidc.strategy';
import { IamTokenClaims, IamTokensService } from './iam-tokens.service';
import { LoginResult, SsoLoginService } from './sso-login.service';

/** Public sign-in endpoints (no admin token): the login page's data, the OIDC round trip, logout. */
@ApiTags('login')
@Controller()
export class LoginController {
  constructor(
    private readonly login: SsoLoginService,
    private readonly tokens: IamTokensService,
  ) {}

  @Get('v1/login/:tenantId/providers')
  providers(
    @Param('tenantId') tenantId: string,
  ): Promise<Array<{ scheme: string; displayName: string; type: string }>> {
    return this.login.visibleProviders(tenantId);
  }

  /** Starts a sign-in: 302 to the provider. `redirect_uri` must be registered on the provider. */
  @Get('v1/login/:tenantId/:scheme')
  @UseGuards(AuthGuard('entra-oidc'))
  start(@Req() req: FastifyRequest & { user: LoginOutcome }, @Res() reply: FastifyReply): void {
    const outcome = req.user;
    if (!('redirectTo' in outcome)) throw new UnauthorizedException('a sign-in starts without a code');
    void reply.redirect(outcome.redirectTo, 302);
  }

  /** The web redirect URI: the provider sends the browser back here with `code` and `state`. */
  @Get('v1/login/:tenantId/:scheme/callback')
  @UseGuards(AuthGuard('entra-oidc'))
  callback(@Req() req: FastifyRequest & { user: LoginOutcome }): LoginResult {
    return finished(req.user);
  }

  /** Mobile and desktop apps, whose redirect URI is their own, post the `code` and `state` here. */
  @Post('v1/login/:tenantId/:scheme/token')
  @HttpCode(200)
  @UseGuards(AuthGuard('entra-oidc'))
  token(@Req() req: FastifyRequest & { user: LoginOutcome }): LoginResult {
    return finished(req.user);
  }

  /** The session behind an IAM access token (401 once logged out or expired). */
  @Get('v1/session')
  session(@Headers('authorization') authorization?: string): Promise<IamTokenClaims> {
    return this.tokens.verify(bearer(authorization));
  }

  @Post('v1/logout')
  @HttpCode(204)
  async logout(@Headers('authorization') authorization?: string): Promise<void> {
    await this.tokens.revoke(await this.tokens.verify(bearer(authorization)));
  }
}

function finished(outcome: LoginOutcome): LoginResult {
  if ('redirectTo' in outcome) throw new UnauthorizedException('the sign-in did not finish');
  return outcome;
}

function bearer(authorization?: string): string {
  const match = authorization ? /^Bearer\s+(\S+)$/i.exec(authorization) : null;
  if (!match) throw new UnauthorizedException('a Bearer access token is required');
  return match[1]!;
}
