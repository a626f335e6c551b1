import { invalidValue } from './errors';
import { assertSafePath } from './property-names';
import { LIST_RESPONSE_SCHEMA, resolveAttribute, ResourceTypeDefinition } from './schemas';

export interface ResourceMeta {
  resourceType: string;
  created: Date | string;
  lastModified: Date | string;
  location: string;
  version: number;
}

export const weakEtag = (version: number): string => `W/"${version}"`;

/** A stored document plus server-owned attributes → the SCIM representation. */
export function renderResource(
  id: string,
  document: Record<string, unknown>,
  meta: ResourceMeta,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const { schemas, ...attributes } = document;
  return {
    schemas,
    id,
    ...attributes,
    ...extra,
    meta: {
      resourceType: meta.resourceType,
      created: new Date(meta.created).toISOString(),
      lastModified: new Date(meta.lastModified).toISOString(),
      location: meta.location,
      version: weakEtag(meta.version),
    },
  };
}

/** RFC 7644 §3.9 `attributes` / `excludedAttributes`. `id` and `schemas` are always returned. */
export interface Projection {
  attributes?: string[];
  excludedAttributes?: string[];
}

export function parseProjection(attributes?: unknown, excludedAttributes?: unknown): Projection {
  const list = (v: unknown) => {
    if (typeof v !== 'string' || v.trim() === '') return undefined;
    const paths = v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    paths.forEach((path) => assertSafePath(path));
    return paths;
  };
  return { attributes: list(attributes), excludedAttributes: list(excludedAttributes) };
}

/** Whether a projection leaves an attribute out (so a query need not read it at all). */
export function projectionExcludes(
  projection: Projection,
  type: ResourceTypeDefinition,
  name: string,
): boolean {
  const matches = (paths?: string[]) =>
    paths?.some((p) => resolveAttribute(type, p)?.definition.name === name) ?? false;
  if (projection.attributes) return !matches(projection.attributes);
  return matches(projection.excludedAttributes);
}

export function project(
  resource: Record<string, unknown>,
  projection: Projection,
  type: ResourceTypeDefinition,
): Record<string, unknown> {
  if (projection.attributes) {
    const out: Record<string, unknown> = { schemas: resource.schemas, id: resource.id };
    for (const path of projection.attributes) copyPath(resource, out, path, type);
    return out;
  }
  if (projection.excludedAttributes) {
    const out = structuredClone(resource);
    for (const path of projection.excludedAttributes) removePath(out, path, type);
    return out;
  }
  return resource;
}

function locate(path: string, type: ResourceTypeDefinition): { keys: string[] } | undefined {
  const resolved = resolveAttribute(type, path);
  if (!resolved) return undefined;
  return {
    keys: [resolved.urn, resolved.definition.name, resolved.sub?.name].filter((k): k is string => !!k),
  };
}

function copyPath(
  from: Record<string, unknown>,
  to: Record<string, unknown>,
  path: string,
  type: ResourceTypeDefinition,
): void {
  const found = locate(path, type);
  if (!found) return;
  const [first, ...rest] = found.keys;
  const value = from[first!];
  if (value === undefined) return;
  if (rest.length === 0) {
    to[first!] = value;
  } else if (rest.length === 1 && typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const inner = value as Record<string, unknown>;
    const target = ((to[first!] as Record<string, unknown>) ??= {});
    if (rest.length === 1 && inner[rest[0]!] !== undefined) target[rest[0]!] = inner[rest[0]!];
  } else if (rest.length === 2) {
    const ext = value as Record<string, unknown>;
    const inner = ext[rest[0]!] as Record<string, unknown> | undefined;
    if (inner?.[rest[1]!] === undefined) return;
    const target = ((to[first!] as Record<string, unknown>) ??= {});
    ((target[rest[0]!] as Record<string, unknown>) ??= {})[rest[1]!] = inner[rest[1]!];
  } else if (Array.isArray(value) && rest.length === 1) {
    to[first!] = value.map((item) => ({ [rest[0]!]: (item as Record<string, unknown>)[rest[0]!] }));
  }
}

function removePath(resource: Record<string, unknown>, path: string, type: ResourceTypeDefinition): void {
  const found = locate(path, type);
  if (!found) return;
  const keys = found.keys;
  if (keys[0] === 'id') return;
  let target: unknown = resource;
  for (const key of keys.slice(0, -1)) target = (target as Record<string, unknown> | undefined)?.[key];
  if (Array.isArray(target))
    for (const item of target) delete (item as Record<string, unknown>)[keys.at(-1)!];
  else if (target && typeof target === 'object') delete (target as Record<string, unknown>)[keys.at(-1)!];
}

/** RFC 7644 §3.4.2.4 paging: 1-based startIndex, count capped at maxResults (0 gives totals only). */
export interface Paging {
  startIndex: number;
  count: number;
}

const MAX_START_INDEX = 2_147_483_647;

export function parsePaging(
  startIndex: unknown,
  count: unknown,
  maxResults: number,
  defaultCount = 100,
): Paging {
  const int = (v: unknown, name: string): number | undefined => {
    if (v === undefined || v === null || v === '') return undefined;
    const n = Number(v);
    if (!Number.isInteger(n)) throw invalidValue(`${name} must be an integer`);
    return n;
  };
  const start = Math.max(1, int(startIndex, 'startIndex') ?? 1);
  // PostgreSQL's OFFSET is a bigint; no tenant has anywhere near this many resources anyway.
  if (start > MAX_START_INDEX) throw invalidValue(`startIndex must be at most ${MAX_START_INDEX}`);
  const size = Math.min(maxResults, Math.max(0, int(count, 'count') ?? defaultCount));
  return { startIndex: start, count: size };
}

export function listResponse(
  resources: unknown[],
  totalResults: number,
  paging: Paging,
): Record<string, unknown> {
  return {
    schemas: [LIST_RESPONSE_SCHEMA],
    totalResults,
    startIndex: paging.startIndex,
    itemsPerPage: resources.length,
    Resources: resources,
  };
}
