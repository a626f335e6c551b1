import { invalidSyntax, invalidValue } from './errors';
import { assertSafeKeys } from './property-names';
import { assertStorableDocument, assertStorableValue } from './value-limits';
import {
  AttributeDefinition,
  canonicalSchemaPrefix,
  GROUP_RESOURCE_TYPE,
  ResourceTypeDefinition,
  USER_RESOURCE_TYPE,
} from './schemas';
import { mergePolicyExtension, normalizeUserPolicyAttributes, policyExtensionOf } from './user-policy';

/** A resource as stored: canonical attribute names, typed values, no id/meta (the server owns those). */
export type ResourceDocument = Record<string, unknown> & { schemas: string[] };
export type UserDocument = ResourceDocument & { userName: string };
export type GroupDocument = ResourceDocument & { displayName: string };

/** Attributes a client may send but the server owns: ignored on create and replace (RFC 7643 §2.2). */
const SERVER_OWNED = new Set(['id', 'meta', 'groups']);

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A User body → the stored document, tenant policy attributes canonical (see user-policy.ts). */
export const normalizeUserDocument = (body: unknown): UserDocument =>
  normalizeDocument(body, USER_RESOURCE_TYPE) as UserDocument;

/**
 * A Group body → the stored document (without members) and the member ids it names.
 * Members live as rows, never inside the document.
 */
export function normalizeGroupDocument(body: unknown): { document: GroupDocument; members?: string[] } {
  const document = normalizeDocument(body, GROUP_RESOURCE_TYPE, ['members']) as GroupDocument;
  const raw = isObject(body)
    ? Object.entries(body).find(([k]) => k.toLowerCase() === 'members')?.[1]
    : undefined;
  return { document, members: raw === undefined || raw === null ? undefined : memberIds(raw) };
}

/** The ids in a `members` value: `[{value}, …]` (a single object is accepted too). */
export function memberIds(value: unknown): string[] {
  const items = Array.isArray(value) ? value : [value];
  return items.map((item, i) => {
    const id = isObject(item) ? item.value : undefined;
    if (typeof id !== 'string' || id === '')
      throw invalidValue(`members[${i}].value must be the id of a User`);
    assertStorableValue(id, `members[${i}].value`);
    return id;
  });
}

/**
 * Turns a client's body into the stored document: attribute names made canonical whatever
 * their case, `null`s dropped (older Entra bodies send them), booleans accepted as `"True"`/`"False"`,
 * the manager accepted as a plain id, unknown extension schemas kept as sent, values otherwise
 * stored exactly as sent. `omit` names attributes stored elsewhere (a group's members).
 */
export function normalizeDocument(
  body: unknown,
  type: ResourceTypeDefinition,
  omit: string[] = [],
): ResourceDocument {
  if (!isObject(body)) throw invalidSyntax('the request body must be a JSON object');
  assertSafeKeys(body, 'the request body');
  const out: Record<string, unknown> = {};
  const declared = Array.isArray(body.schemas)
    ? body.schemas.filter((s): s is string => typeof s === 'string').map(canonicalSchemaPrefix)
    : [];
  for (const [key, value] of Object.entries(body)) {
    if (value === null || value === undefined || key.toLowerCase() === 'schemas') continue;
    if (key.includes(':')) {
      mergeExtension(out, canonicalSchemaPrefix(key), value, type);
      continue;
    }
    const definition = findAttribute(type.schema.attributes.concat(commonWritable), key);
    if (!definition || SERVER_OWNED.has(definition.name) || omit.includes(definition.name)) continue;
    if (definition.mutability === 'writeOnly') continue;
    const coerced = coerce(definition, value, definition.name);
    if (coerced !== undefined) out[definition.name] = coerced;
  }
  if (type === USER_RESOURCE_TYPE) normalizeUserPolicyAttributes(out);
  for (const required of type.schema.attributes.filter((a) => a.required)) {
    const value = out[required.name];
    if (typeof value !== 'string' || value.trim() === '') throw invalidValue(`${required.name} is required`);
  }
  // Sorted: a document read back from jsonb has its keys in another order, and `schemas` must
  // not look changed (a new version, a `schemas` change event) when nothing changed.
  const extensions = Object.keys(out).filter((k) => k.includes(':'));
  // Unknown schema URNs the client declared without attributes are kept too (never rejected).
  for (const urn of declared)
    if (
      urn.toLowerCase() !== type.schema.id.toLowerCase() &&
      !extensions.some((s) => s.toLowerCase() === urn.toLowerCase())
    )
      extensions.push(urn);
  const document = { ...out, schemas: [type.schema.id, ...extensions.sort()] };
  assertStorableDocument(
    document,
    type.extensions.map((e) => e.id),
  );
  return document;
}

const commonWritable: AttributeDefinition[] = [
  {
    name: 'externalId',
    type: 'string',
    multiValued: false,
    description: 'externalId',
    required: false,
    caseExact: true,
    mutability: 'readWrite',
    returned: 'default',
    uniqueness: 'none',
  },
];

function findAttribute(pool: AttributeDefinition[], name: string): AttributeDefinition | undefined {
  const lower = name.toLowerCase();
  return pool.find((a) => a.name.toLowerCase() === lower);
}

const UNKNOWN_EXTENSION_KEY = /^urn:[A-Za-z0-9][\w.-]*(?::[\w.$-]+)+$/i;

/** `urn:…:enterprise:2.0:User` objects, URN-qualified single attributes, and unknown extensions. */
function mergeExtension(
  out: Record<string, unknown>,
  key: string,
  value: unknown,
  type: ResourceTypeDefinition,
): void {
  const lower = key.toLowerCase();
  const coreUrn = type.schema.id.toLowerCase();
  if (lower.startsWith(coreUrn + ':')) {
    // A schema-qualified core attribute, e.g. `urn:…:core:2.0:User:title`.
    const definition = findAttribute(type.schema.attributes, key.slice(coreUrn.length + 1));
    if (definition && !SERVER_OWNED.has(definition.name) && definition.mutability !== 'writeOnly') {
      const coerced = coerce(definition, value, definition.name);
      if (coerced !== undefined) out[definition.name] = coerced;
    }
    return;
  }
  if (lower === coreUrn) return;
  if (type === USER_RESOURCE_TYPE && policyExtensionOf(key)) {
    mergePolicyExtension(out, key, value);
    return;
  }
  for (const extension of type.extensions) {
    const urn = extension.id;
    const target = (out[urn] as Record<string, unknown> | undefined) ?? {};
    if (lower === urn.toLowerCase()) {
      if (!isObject(value)) throw invalidValue(`${urn} must be an object`);
      for (const [name, v] of Object.entries(value))
        setExtensionAttribute(target, extension.attributes, urn, name, v);
    } else if (lower.startsWith(urn.toLowerCase() + ':')) {
      setExtensionAttribute(target, extension.attributes, urn, key.slice(urn.length + 1), value);
    } else continue;
    if (Object.keys(target).length > 0) out[urn] = target;
    else delete out[urn];
    return;
  }
  // An extension we do not define: kept as sent (minus nulls) so it round-trips, when its name is a plain URN.
  if (!UNKNOWN_EXTENSION_KEY.test(key)) throw invalidValue(`'${key}' is not a valid schema URN`);
  if (isObject(value)) {
    const kept = stripNulls(value);
    if (Object.keys(kept).length > 0) out[key] = kept;
  } else out[key] = value;
}

function setExtensionAttribute(
  target: Record<string, unknown>,
  attributes: AttributeDefinition[],
  urn: string,
  name: string,
  value: unknown,
): void {
  const definition = findAttribute(attributes, name);
  if (!definition) return;
  if (value === null || value === undefined || value === '') {
    delete target[definition.name];
    return;
  }
  // Entra sends the manager as a bare id or as {value}.
  const shaped = definition.name === 'manager' && typeof value === 'string' ? { value } : value;
  const coerced = coerce(definition, shaped, `${urn}:${definition.name}`);
  if (coerced === undefined || (definition.name === 'manager' && !(coerced as { value?: unknown }).value)) {
    delete target[definition.name];
  } else target[definition.name] = coerced;
}

function stripNulls(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null && v !== undefined));
}

/** Checks and converts one value against its definition; undefined means "absent". */
export function coerce(definition: AttributeDefinition, value: unknown, path: string): unknown {
  if (value === null || value === undefined) return undefined;
  if (definition.multiValued) {
    const items = Array.isArray(value) ? value : [value];
    const single = { ...definition, multiValued: false };
    const coerced = items
      .map((item, i) => coerce(single, item, `${path}[${i}]`))
      .filter((v) => v !== undefined);
    return coerced;
  }
  switch (definition.type) {
    case 'complex': {
      if (!isObject(value)) throw invalidValue(`${path} must be an object`);
      const out: Record<string, unknown> = {};
      for (const [key, v] of Object.entries(value)) {
        const sub = findAttribute(definition.subAttributes ?? [], key);
        if (!sub) continue;
        const coerced = coerce(sub, v, `${path}.${sub.name}`);
        if (coerced !== undefined) out[sub.name] = coerced;
      }
      return Object.keys(out).length > 0 ? out : undefined;
    }
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
      throw invalidValue(`${path} must be a boolean`);
    case 'integer':
    case 'decimal':
      if (typeof value === 'number' && Number.isFinite(value)) return value;
      throw invalidValue(`${path} must be a number`);
    default:
      if (typeof value === 'string') return value;
      throw invalidValue(`${path} must be a string`);
  }
}
