/**
 * Marks a rendered resource whose related values were cut to the type's limit. A symbol key, so
 * the mark never reaches the JSON; the type's controller tells the client in a header.
 */
const TRUNCATED = Symbol('related values truncated');

export function markRelatedTruncated(resource: Record<string, unknown>): void {
  Object.defineProperty(resource, TRUNCATED, { value: true });
}

/** Whether a resource, or any resource of a ListResponse, lists only part of its related values. */
export function hasTruncatedRelated(body: unknown): boolean {
  if (typeof body !== 'object' || body === null) return false;
  const resources = (body as { Resources?: unknown }).Resources;
  return Array.isArray(resources)
    ? resources.some((resource) => hasTruncatedRelated(resource))
    : TRUNCATED in body;
}
