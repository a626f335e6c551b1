import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { LoginResult, SsoLoginService } from './sso-login.service';

type LoginRequest = FastifyRequest<{
  Params: { tenantId: string; scheme: string };
  Querystring: Record<string, string | undefined>;
  Body?: Record<string, string | undefined>;
}>;

/** What the strategy hands the controller: where to send the browser, or a finished sign-in. */
export type LoginOutcome = { redirectTo: string } | LoginResult;

type Verify = (request: LoginRequest, done: (error: unknown, outcome?: LoginOutcome) => void) => void;

/**
 * A passport strategy for per-tenant, per-provider Entra ID sign-in. Providers are data (many
 * tenants, each with its own authority and client), so one strategy serves them all and reads
 * which one from the route; the OIDC work is done by openid-client in SsoLoginService.
 */
class EntraOidcPassportStrategy {
  name = 'entra-oidc';
  // Set by passport on each attempt.
  declare success: (user: unknown) => void;
  declare error: (error: unknown) => void;

  constructor(private readonly verify: Verify) {}

  authenticate(request: LoginRequest): void {
    this.verify(request, (error, outcome) => (error ? this.error(error) : this.success(outcome)));
  }
}

@Injectable()
export class EntraOidcStrategy extends PassportStrategy(EntraOidcPassportStrategy, 'entra-oidc') {
  constructor(private readonly login: SsoLoginService) {
    super();
  }

  /** Called by @nestjs/passport with the request; a code (or an error) in it means the way back. */
  async validate(request: LoginRequest): Promise<LoginOutcome> {
    const { tenantId, scheme } = request.params;
    const params = { ...request.query, ...(request.body ?? {}) };
    if (params.code || params.error || params.id_token) return this.login.complete(tenantId, scheme, params);
    return { redirectTo: await this.login.begin(tenantId, scheme, params.redirect_uri) };
  }
}
