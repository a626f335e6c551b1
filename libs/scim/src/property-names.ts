import { invalidPath, invalidValue, ScimError } from './errors';

/**
 * Names JavaScript treats specially when they become property keys: writing through them changes
 * the prototype of an object, or of every object (prototype pollution). SCIM attribute names are
 * case-insensitive, so every spelling is refused, not only the dangerous one.
 */
const FORBIDDEN_NAMES = new Set(['__proto__', 'constructor', 'prototype']);

/** Far longer than any real attribute path or key; longer ones are refused before any pattern sees them. */
export const MAX_NAME_LENGTH = 512;

/**
 * The name-like tokens of a path or key (`urn:a:b:x.y[z eq "v"]` → urn, a, b, x, y, z, eq, v). Quoted text counts
 * too: the PATCH engine splits paths on dots inside quotes as well, so a quote is no hiding place.
 */
const namesIn = (text: string): string[] => text.split(/[^\w$-]+/);

/** Whether a client-supplied path, key or attribute list entry contains a forbidden name anywhere. */
export const hasForbiddenName = (text: string): boolean =>
  namesIn(text).some((name) => FORBIDDEN_NAMES.has(name.toLowerCase()));

/** Refuses an attribute path (PATCH path, `attributes=`, `sortBy`) that is too long or names a forbidden property. */
export function assertSafePath(path: string, refuse: (detail: string) => ScimError = invalidPath): void {
  if (path.length > MAX_NAME_LENGTH)
    throw refuse(`an attribute path is longer than ${MAX_NAME_LENGTH} characters`);
  if (hasForbiddenName(path))
    throw refuse(`'${path}' names a reserved property and is not an attribute path`);
}

/**
 * Refuses a value (a request body, a PATCH value) with an object key anywhere inside it that is or
 * contains a forbidden name: such keys become paths (`{"a.__proto__.b": 1}`) or property keys.
 */
export function assertSafeKeys(value: unknown, where = 'the value'): void {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const next = pending.pop();
    if (typeof next !== 'object' || next === null) continue;
    for (const [key, inner] of Object.entries(next)) {
      if (Array.isArray(next)) {
        pending.push(inner);
        continue;
      }
      if (key.length > MAX_NAME_LENGTH) {
        throw invalidValue(`${where} contains a key longer than ${MAX_NAME_LENGTH} characters`);
      }
      if (hasForbiddenName(key)) {
        throw invalidValue(`${where} contains the key '${key}', which names a reserved property`);
      }
      pending.push(inner);
    }
  }
}

/**
 * A deep copy made of plain JSON data without any forbidden key: what the PATCH engine works on
 * and what it hands back, so a path that a future change forgets to check still cannot reach a
 * prototype (JSON.parse defines keys as own properties, and the reviver drops the forbidden ones).
 */
export function safeJsonCopy<T>(value: T): T {
  if (value === undefined) return value;
  return JSON.parse(JSON.stringify(value), (key, inner: unknown) =>
    hasForbiddenName(key) ? undefined : inner,
  ) as T;
}
