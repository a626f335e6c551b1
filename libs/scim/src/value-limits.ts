import { invalidValue } from './errors';

/**
 * What a stored SCIM value may hold. PostgreSQL refuses NUL and unpaired surrogates in text and
 * jsonb, and refuses index rows over about 2.7 KB: such a value is refused here, before a command
 * is queued, with the attribute named (IAM's worker still classifies what gets past as a refusal).
 */
export const SCIM_VALUE_LIMITS = {
  /** userName, externalId, displayName: indexed columns; 512 characters stay under the btree row limit in any UTF-8. */
  indexedStringLength: 512,
  /** Any other string value. */
  stringLength: 16_384,
  /** One extension this server does not define, as JSON (kept as sent, so bounded on its own). */
  unknownExtensionBytes: 16_384,
  /** The whole stored document (or one PATCH request's values), as JSON: what a queued command carries. */
  documentBytes: 65_536,
} as const;

const INDEXED = new Set(['userName', 'externalId', 'displayName']);

/** NUL, or a surrogate without its pair: text PostgreSQL cannot store. */
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const jsonBytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');

/**
 * Checks every string and key of a value, naming the first offending attribute path. `path` is
 * the attribute the value is stored under (its last segment decides whether it is indexed).
 */
export function assertStorableValue(value: unknown, path: string): void {
  if (typeof value === 'string') {
    if (UNSTORABLE.test(value))
      throw invalidValue(`${path} contains a NUL character or an unpaired surrogate, which cannot be stored`);
    const name = path.split(/[.:]/).at(-1)!.replace(/\[.*$/, '');
    const limit = INDEXED.has(name) ? SCIM_VALUE_LIMITS.indexedStringLength : SCIM_VALUE_LIMITS.stringLength;
    if (value.length > limit) throw invalidValue(`${path} is longer than ${limit} characters`);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => assertStorableValue(item, `${path}[${i}]`));
    return;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      if (UNSTORABLE.test(key)) throw invalidValue(`${path} has a key that cannot be stored`);
      assertStorableValue(item, path === '' ? key : `${path}.${key}`);
    }
  }
}

/** A stored document: every value storable, unknown extensions and the whole within their sizes. */
export function assertStorableDocument(document: Record<string, unknown>, knownUrns: string[]): void {
  for (const [key, value] of Object.entries(document)) {
    if (key === 'schemas') {
      assertStorableValue(value, key);
      continue;
    }
    assertStorableValue(value, key);
    if (
      key.includes(':') &&
      !knownUrns.includes(key) &&
      jsonBytes(value) > SCIM_VALUE_LIMITS.unknownExtensionBytes
    )
      throw invalidValue(`${key} is larger than ${SCIM_VALUE_LIMITS.unknownExtensionBytes} bytes`);
  }
  if (jsonBytes(document) > SCIM_VALUE_LIMITS.documentBytes)
    throw invalidValue(`the resource is larger than ${SCIM_VALUE_LIMITS.documentBytes} bytes`);
}

/** A PATCH request's operations: each value storable under its path, all values within the document size. */
export function assertStorableOperations(operations: Array<{ path?: string; value?: unknown }>): void {
  for (const operation of operations) {
    const path = operation.path ?? '';
    if (path !== '') assertStorableValue(path, 'path');
    // A member filter path names the value it filters on; the stored attribute is the path's head.
    assertStorableValue(operation.value, path.replace(/\[.*?\]/g, ''));
  }
  if (jsonBytes(operations.map((o) => o.value)) > SCIM_VALUE_LIMITS.documentBytes)
    throw invalidValue(`the PATCH values are larger than ${SCIM_VALUE_LIMITS.documentBytes} bytes`);
}
