import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { invalidValue } from '@app/scim';

const RESOURCE_SEGMENT = /\/(Users|Groups|ServiceProviderConfig|ResourceTypes|Schemas)(\/|$)/i;

/** The SCIM base URL the client used (`…/{tenantId}/api/scim/v2`), for meta.location and Location. */
export function scimBaseUrl(request: FastifyRequest): string {
  const path = request.url.split('?')[0]!;
  const at = path.search(RESOURCE_SEGMENT);
  return `${request.protocol}://${request.host}${at >= 0 ? path.slice(0, at) : path}`;
}

/** Query parameters by lower-cased name: SCIM clients vary the case, unknown ones are ignored. */
export function scimQuery(query: unknown): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries((query ?? {}) as Record<string, unknown>)) {
    out[key.toLowerCase()] = Array.isArray(value)
      ? String(value[0])
      : value === undefined
        ? undefined
        : String(value);
  }
  return out;
}

/** `If-Match: W/"3"` → 3; `*` or absent → undefined. */
export function ifMatchVersion(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value || value.trim() === '*') return undefined;
  const match = /^\s*(?:W\/)?"(\d+)"\s*$/.exec(value);
  if (!match) throw invalidValue('If-Match must be an ETag this server issued, like W/"3"');
  return Number(match[1]);
}

/** A handler parameter: the SCIM base URL of the request (scimBaseUrl). */
export const BaseUrl = createParamDecorator((_: unknown, context: ExecutionContext): string =>
  scimBaseUrl(context.switchToHttp().getRequest<FastifyRequest>()),
);

/** A handler parameter: the version `If-Match` names (ifMatchVersion); a malformed header is a 400. */
export const IfMatch = createParamDecorator((_: unknown, context: ExecutionContext): number | undefined =>
  ifMatchVersion(context.switchToHttp().getRequest<FastifyRequest>().headers['if-match']),
);
