import { Injectable, mixin, Type } from '@nestjs/common';
import { AuthGuard, IAuthGuard, PassportStrategy } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { BrowserBindingCookie } from './browser-binding';
import { LoginResult, SsoLoginService } from './sso-login.service';

type LoginRequest = FastifyRequest<{
  Params: { tenantId: string; scheme: string };
  Querystring: Record<string, string | undefined>;
  Body?: Record<string, unknown>;
}>;

/**
 * Which endpoint a request came to, fixed by the route (never by the request's parameters):
 * `start` sends the browser to the provider, `callback` is IAM's web redirect URI, `token` is
 * where mobile and desktop apps redeem the code their own redirect URI received.
 */
export type LoginStep = 'start' | 'callback' | 'token';

/**
 * What the strategy hands the controller: where to send the browser (and, for a web sign-in, the
 * value of the cookie that binds it to this browser), or a finished sign-in.
 */
export type LoginOutcome = { redirectTo: string; browserBinding?: string } | LoginResult;

type Verify = (
  request: LoginRequest,
  step: LoginStep,
  done: (error: unknown, outcome?: LoginOutcome) => void,
) => void;

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

  authenticate(request: LoginRequest, options: { step: LoginStep }): void {
    this.verify(request, options.step, (error, outcome) =>
      error ? this.error(error) : this.success(outcome),
    );
  }
}

@Injectable()
export class EntraOidcStrategy extends PassportStrategy(EntraOidcPassportStrategy, 'entra-oidc') {
  constructor(
    private readonly login: SsoLoginService,
    private readonly browserCookie: BrowserBindingCookie,
  ) {
    super();
  }

  /** Called by @nestjs/passport with the request and the step its route is for. */
  async validate(request: LoginRequest, step: LoginStep): Promise<LoginOutcome> {
    const { tenantId, scheme } = request.params;
    switch (step) {
      case 'start':
        return this.login.begin(tenantId, scheme, request.query, request.ip);
      case 'callback':
        // The provider's authorization response, as it came (code, state, iss, error…), and the
        // cookie of the browser that came with it.
        return this.login.complete(tenantId, scheme, 'web', request.query, this.browserCookie.read(request));
      case 'token':
        return this.login.complete(tenantId, scheme, 'app', stringFields(request.body));
    }
  }
}

/** The guard of one login step: the entra-oidc strategy, told which step its route is. */
export function EntraOidcGuard(step: LoginStep): Type<IAuthGuard> {
  return mixin(
    class extends AuthGuard('entra-oidc') {
      override getAuthenticateOptions(): { step: LoginStep } {
        return { step };
      }
    },
  );
}

/** A JSON body's string fields; anything else is as good as absent. */
function stringFields(body: unknown): Record<string, string | undefined> {
  if (!body || typeof body !== 'object') return {};
  return Object.fromEntries(Object.entries(body).filter(([, v]) => typeof v === 'string')) as Record<
    string,
    string
  >;
}
