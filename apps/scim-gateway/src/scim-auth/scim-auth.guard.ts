import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { bearerCredential } from '@app/platform';
import { ScimError } from '@app/scim';
import { ScimRequest } from './scim-principal';
import { ScimTokenVerifier } from './scim-token-verifier';

/** Thrown as 401 with `WWW-Authenticate` by the SCIM exception filter. */
export class ScimUnauthorized extends ScimError {
  constructor(detail: string) {
    super(401, detail);
  }
}

/**
 * Bearer SCIM token → tenant. A plain guard rather than a passport strategy: it runs on every
 * SCIM request and must cost microseconds. The tenant in the path must be the token's.
 */
@Injectable()
export class ScimAuthGuard implements CanActivate {
  constructor(private readonly tokens: ScimTokenVerifier) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<ScimRequest>();
    const credential = bearerCredential(request.headers.authorization);
    if (!credential) throw new ScimUnauthorized('a Bearer SCIM token is required');
    const principal = await this.tokens.authenticate(credential);
    if (!principal) throw new ScimUnauthorized('the SCIM token is unknown, revoked or expired');
    const pathTenant = request.params.tenantId;
    if (pathTenant !== undefined && pathTenant.toLowerCase() !== principal.tenantId) {
      throw new ScimUnauthorized('the SCIM token is not valid for this tenant');
    }
    request.scim = principal;
    return true;
  }
}
