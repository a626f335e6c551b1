import {
  assertSafeKeys,
  invalidValue,
  parseFilter,
  parsePaging,
  parseProjection,
  Projection,
  SEARCH_REQUEST_SCHEMA,
} from '@app/scim';
import { ResourceQuery } from './scim-resource.repository';

/** RFC 7644 §3.4.2 query parameters (names lower-cased by scimQuery) → a typed query and projection. */
export function parseListQuery(
  query: Record<string, unknown>,
  maxResults: number,
): ResourceQuery & { projection: Projection } {
  const text = (key: string) => (typeof query[key] === 'string' ? (query[key] as string) : undefined);
  const filterText = text('filter');
  const sortOrder = text('sortorder')?.toLowerCase();
  if (sortOrder !== undefined && sortOrder !== 'ascending' && sortOrder !== 'descending') {
    throw invalidValue('sortOrder must be ascending or descending');
  }
  return {
    filter: filterText !== undefined && filterText.trim() !== '' ? parseFilter(filterText) : undefined,
    sortBy: text('sortby'),
    descending: sortOrder === 'descending',
    paging: parsePaging(query.startindex, query.count, maxResults),
    projection: parseProjection(query.attributes, query.excludedattributes),
  };
}

/** A POST /.search body (RFC 7644 §3.4.3) → the same parameters a GET would carry. */
export function searchRequestQuery(body: unknown): Record<string, unknown> {
  const request = (body ?? {}) as Record<string, unknown>;
  // Its keys become query parameter names below.
  assertSafeKeys(request, 'the search request');
  const schemas = request.schemas;
  if (Array.isArray(schemas) && !schemas.includes(SEARCH_REQUEST_SCHEMA)) {
    throw invalidValue(`a search body must declare ${SEARCH_REQUEST_SCHEMA}`);
  }
  const query: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(request))
    query[key.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  return query;
}
