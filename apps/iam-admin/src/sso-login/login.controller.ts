import {
  Controller,
  Get,
  Header,
  Headers,
  HttpCode,
  Param,
  Post,
  Req,
  Res,
  UnauthorizedException,
  UseGuards,
} from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { bearerCredential } from '@app/platform';
import { BrowserBindingCookie } from './browser-binding';
import { EntraOidcGuard, LoginOutcome } from './entra-oidc.strategy';
import { IamTokenClaims, IamTokensService } from './iam-tokens.service';
import { LoginResult, SsoLoginService } from './sso-login.service';

/** Public sign-in endpoints (no admin token): the login page's data, the OIDC round trip, logout. */
@ApiTags('login')
@Controller()
export class LoginController {
  constructor(
    private readonly login: SsoLoginService,
    private readonly tokens: IamTokensService,
    private readonly browserCookie: BrowserBindingCookie,
  ) {}

  @Get('v1/login/:tenantId/providers')
  providers(
    @Param('tenantId') tenantId: string,
  ): Promise<Array<{ scheme: string; displayName: string; type: string }>> {
    return this.login.visibleProviders(tenantId);
  }

  /**
   * Starts a sign-in: 302 to the provider. `redirect_uri` must be registered on the provider; an
   * app's redirect URI also needs `code_challenge` (S256) from a verifier the app keeps. A web
   * sign-in sets the cookie its callback will require.
   */
  @Get('v1/login/:tenantId/:scheme')
  @UseGuards(EntraOidcGuard('start'))
  start(@Req() req: FastifyRequest & { user: LoginOutcome }, @Res() reply: FastifyReply): void {
    const outcome = req.user;
    if (!('redirectTo' in outcome)) throw new UnauthorizedException('a sign-in starts without a code');
    if (outcome.browserBinding)
      reply.header('set-cookie', this.browserCookie.set(req, outcome.browserBinding));
    void reply.redirect(outcome.redirectTo, 302);
  }

  /**
   * The web redirect URI: the provider sends the browser back here with `code`, `state` and `iss`;
   * only the browser that started the sign-in (its cookie) gets the token, never stored by caches.
   */
  @Get('v1/login/:tenantId/:scheme/callback')
  @UseGuards(EntraOidcGuard('callback'))
  @Header('Cache-Control', 'no-store')
  @Header('Pragma', 'no-cache')
  callback(
    @Req() req: FastifyRequest & { user: LoginOutcome },
    @Res({ passthrough: true }) reply: FastifyReply,
  ): LoginResult {
    const result = finished(req.user);
    reply.header('set-cookie', this.browserCookie.cleared(req));
    return result;
  }

  /**
   * Mobile and desktop apps, whose redirect URI is their own, post what it received (`code`,
   * `state`, `iss`) and their PKCE `code_verifier` here.
   */
  @Post('v1/login/:tenantId/:scheme/token')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @Header('Pragma', 'no-cache')
  @UseGuards(EntraOidcGuard('token'))
  token(@Req() req: FastifyRequest & { user: LoginOutcome }): LoginResult {
    return finished(req.user);
  }

  /**
   * The session behind an IAM access token: 401 once logged out or expired, and as soon as the
   * subject is deactivated or deprovisioned or its tenant or provider is disabled.
   */
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
  const credential = bearerCredential(authorization);
  if (!credential) throw new UnauthorizedException('a Bearer access token is required');
  return credential;
}
