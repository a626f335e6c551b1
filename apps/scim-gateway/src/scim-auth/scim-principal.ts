import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/** The SCIM token a request authenticated with, and the tenant and provider it belongs to. */
export interface ScimPrincipal {
  tokenId: string;
  tenantId: string;
  identityProviderId: string;
  provider: string;
  expiresAt: number;
}

export type ScimRequest = FastifyRequest<{ Params: { tenantId?: string } }> & { scim?: ScimPrincipal };

/** A handler parameter: the principal ScimAuthGuard set. On a route without the guard it fails closed. */
export const Principal = createParamDecorator((_: unknown, context: ExecutionContext): ScimPrincipal => {
  const principal = context.switchToHttp().getRequest<ScimRequest>().scim;
  if (!principal) throw new Error('a SCIM resource route is not behind ScimAuthGuard');
  return principal;
});
