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
