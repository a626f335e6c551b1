import { scimPatch, ScimPatchOperation } from 'scim-patch';
import { invalidPath, invalidSyntax, invalidValue, mutability, noTarget, ScimError } from './errors';
import { assertSafeKeys, assertSafePath, safeJsonCopy } from './property-names';
import {
  canonicalSchemaPrefix,
  GROUP_RESOURCE_TYPE,
  PATCH_OP_SCHEMA,
  resolveAttribute,
  ResourceTypeDefinition,
  USER_RESOURCE_TYPE,
} from './schemas';
import { applyUserPolicyOperation, assertUserPolicyOperation } from './user-policy';
import { assertStorableOperations } from './value-limits';

export type PatchOp = 'add' | 'replace' | 'remove';

/** One operation after normalisation: lowercase op, canonical path (or none), value as sent. */
export interface PatchOperation {
  op: PatchOp;
  path?: string;
  value?: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const KEYWORDS = new Set([
  'eq',
  'ne',
  'co',
  'sw',
  'ew',
  'gt',
  'ge',
  'lt',
  'le',
  'pr',
  'and',
  'or',
  'not',
  'true',
  'false',
  'null',
]);

/**
 * Reads a PatchOp body in every shape Entra ID sends (RFC 7644 §3.5.2 plus its quirks):
 * capitalised op names, case-insensitive and schema-qualified paths, and path-less value objects
 * whose keys are attribute names, dotted sub-attributes or URN-qualified attributes — each split
 * into its own operation with a path so that nested values merge instead of replacing siblings.
 */
export function normalizePatchRequest(body: unknown, type: ResourceTypeDefinition): PatchOperation[] {
  if (!isObject(body)) throw invalidSyntax('the PATCH body must be a JSON object');
  const schemas = body.schemas;
  if (
    Array.isArray(schemas) &&
    !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === PATCH_OP_SCHEMA.toLowerCase())
  ) {
    throw invalidSyntax(`a PATCH body must declare the schema ${PATCH_OP_SCHEMA}`);
  }
  const operations = body.Operations ?? body.operations;
  if (!Array.isArray(operations) || operations.length === 0)
    throw invalidSyntax('Operations must be a non-empty array');
  const normalized = operations.flatMap((raw, index) => normalizeOperation(raw, index, type));
  assertStorableOperations(normalized);
  // Roles, userType, folders and metadata are refused here, before queueing, as IAM would refuse them.
  if (type === USER_RESOURCE_TYPE) normalized.forEach(assertUserPolicyOperation);
  return normalized;
}

function normalizeOperation(raw: unknown, index: number, type: ResourceTypeDefinition): PatchOperation[] {
  if (!isObject(raw)) throw invalidSyntax(`Operations[${index}] must be an object`);
  const op = typeof raw.op === 'string' ? raw.op.toLowerCase() : undefined;
  if (op !== 'add' && op !== 'replace' && op !== 'remove') {
    throw invalidSyntax(`Operations[${index}].op must be add, replace or remove`);
  }
  if (raw.path !== undefined && raw.path !== null && typeof raw.path !== 'string') {
    throw invalidPath(`Operations[${index}].path must be a string`);
  }
  assertSafeOperation(raw, `Operations[${index}]`);
  const rawPath = typeof raw.path === 'string' ? canonicalSchemaPrefix(raw.path.trim()) : undefined;
  const extension = rawPath ? type.extensions.find((e) => sameUrn(e.id, rawPath)) : undefined;
  if (extension) {
    // The path addresses the whole extension: add merges into it, replace sets it, remove deletes it.
    if (op === 'remove') return [{ op, path: extension.id }];
    if (!isObject(raw.value))
      throw invalidValue(`Operations[${index}].value must be an object for ${extension.id}`);
    return [{ op, path: extension.id, value: raw.value }];
  }
  const path = rawPath ? canonicalPath(rawPath, type) : undefined;
  if (path) {
    assertWritable(path, type);
    if (op === 'remove') {
      // Entra removes a manager with an empty value; for single-valued targets the value means nothing.
      const multi = resolveAttribute(type, path.split('[')[0]!)?.definition.multiValued;
      return [{ op, path, ...(multi && raw.value !== undefined ? { value: raw.value } : {}) }];
    }
    return [{ op, path, value: raw.value }];
  }
  if (op === 'remove') throw noTarget(`Operations[${index}]: remove needs a path`);
  if (!isObject(raw.value))
    throw invalidValue(`Operations[${index}].value must be an object when there is no path`);
  return Object.entries(raw.value).flatMap(([key, value]) => splitValue(op, key, value, type));
}

/** `{name: {givenName}}` → `name.givenName`; `{urn:…:User: {department}}` → `urn:…:User:department`. */
function splitValue(
  op: 'add' | 'replace',
  key: string,
  value: unknown,
  type: ResourceTypeDefinition,
): PatchOperation[] {
  if (key.toLowerCase() === 'schemas') return [];
  const extension = type.extensions.find((e) => sameUrn(e.id, canonicalSchemaPrefix(key)));
  if (extension && isObject(value)) {
    return Object.entries(value).flatMap(([sub, v]) => splitValue(op, `${extension.id}:${sub}`, v, type));
  }
  const path = canonicalPath(key, type);
  const resolved = resolveAttribute(type, path);
  if (
    resolved &&
    !resolved.sub &&
    resolved.definition.type === 'complex' &&
    !resolved.definition.multiValued &&
    isObject(value)
  ) {
    if (resolved.definition.name === 'manager') return [{ op, path, value }];
    return Object.entries(value).map(([sub, v]) => ({
      op,
      path: canonicalPath(`${path}.${sub}`, type),
      value: v,
    }));
  }
  assertWritable(path, type);
  return [{ op, path, value }];
}

const UNKNOWN_EXTENSION_PATH =
  /^urn:[A-Za-z0-9][\w.-]*(?::[\w.-]+)*:[A-Za-z$][\w$-]*(?:\.[A-Za-z$][\w$-]*)?$/i;

/**
 * Rewrites every attribute name in a path to its canonical case and drops the core schema prefix:
 * `urn:…:core:2.0:User:Title` → `title`, `Emails[Type eq "work"].Value` → `emails[type eq "work"].value`.
 */
export function canonicalPath(anyPath: string, type: ResourceTypeDefinition): string {
  const path = canonicalSchemaPrefix(anyPath);
  let rest = path;
  let prefix = '';
  const lower = path.toLowerCase();
  const core = type.schema.id.toLowerCase() + ':';
  if (lower.startsWith(core)) rest = path.slice(core.length);
  else {
    const extension = type.extensions.find((e) => lower.startsWith(e.id.toLowerCase() + ':'));
    if (extension) {
      prefix = extension.id + ':';
      rest = path.slice(extension.id.length + 1);
    }
  }
  const head = /^[A-Za-z$][\w$-]*/.exec(rest)?.[0];
  if (!head) throw invalidPath(`'${path}' is not a valid attribute path`);
  const resolvedHead = resolveAttribute(type, prefix + head);
  if (!resolvedHead) {
    if (prefix === '' && rest.includes(':')) {
      if (insideDefinedSchema(path, type)) throw invalidPath(`'${path}' names no attribute of ${type.name}`);
      // An extension we do not define is kept as sent, so only a plain `urn:…:attribute[.sub]` gets through.
      if (!UNKNOWN_EXTENSION_PATH.test(path))
        throw invalidPath(`'${path}' is not a valid extension attribute path`);
      return path;
    }
    throw invalidPath(`'${path}' names no attribute of ${type.name}`);
  }
  const definition = resolvedHead.definition;
  // Sub-attribute names inside the filter and after it are canonicalised against the parent's.
  let tail = rest.slice(head.length).replace(/"(?:[^"\\]|\\.)*"|[A-Za-z$][\w$-]*/g, (token) => {
    if (token.startsWith('"') || KEYWORDS.has(token.toLowerCase())) return token;
    const sub = definition.subAttributes?.find((s) => s.name.toLowerCase() === token.toLowerCase());
    return sub ? sub.name : token;
  });
  tail = tail.replace(/\s+/g, ' ');
  return prefix + definition.name + tail;
}

const sameUrn = (a: string, b: string): boolean => a.toLowerCase() === b.trim().toLowerCase();

/**
 * Whether an `urn:…:attribute` path falls inside a schema this server defines without naming one
 * of its attributes (`urn:…:enterprise:2.0:Users`, `urn:…:core:2.0:User`): it names nothing, not
 * an unknown extension.
 */
function insideDefinedSchema(path: string, type: ResourceTypeDefinition): boolean {
  const urn =
    path
      .split('.')[0]!
      .replace(/:[^:]*$/, '')
      .toLowerCase() + ':';
  return [type.schema, ...type.extensions].some((schema) => (schema.id.toLowerCase() + ':').startsWith(urn));
}

function assertWritable(path: string, type: ResourceTypeDefinition): void {
  const head = path.split(/[[.]/)[0]!;
  const resolved = resolveAttribute(type, head.includes(':') ? path.split('[')[0]! : head);
  if (resolved && resolved.definition.mutability === 'readOnly') {
    throw mutability(`'${resolved.definition.name}' is read-only`);
  }
}

/** A path or value that would reach a prototype is refused (paths: invalidPath, value keys: invalidValue). */
function assertSafeOperation(operation: { path?: unknown; value?: unknown }, where: string): void {
  if (typeof operation.path === 'string') assertSafePath(operation.path);
  assertSafeKeys(operation.value, `${where}.value`);
}

/**
 * Applies normalised operations to a resource (the RFC semantics come from the scim-patch library).
 * Whoever calls it — the gateway, or IAM with a command read from Redis — the operations are
 * checked here again and the engine only ever sees and returns plain copies without reserved keys.
 */
export function applyPatch<T extends Record<string, unknown>>(resource: T, operations: PatchOperation[]): T {
  operations.forEach((operation, index) => assertSafeOperation(operation, `Operations[${index}]`));
  let patched = safeJsonCopy(resource) as Record<string, unknown>;
  try {
    for (const operation of safeJsonCopy(operations) as PatchOperation[]) {
      const urn = EXTENSION_IDS.find((id) => operation.path === id);
      patched =
        applyUserPolicyOperation(patched, operation) ??
        (urn
          ? applyToExtension(patched, urn, operation)
          : (scimPatch(patched as never, [operation as ScimPatchOperation], {
              mutateDocument: true,
            }) as unknown as Record<string, unknown>));
    }
    return safeJsonCopy(patched) as unknown as T;
  } catch (error) {
    throw mapPatchError(error);
  }
}

const EXTENSION_IDS = [USER_RESOURCE_TYPE, GROUP_RESOURCE_TYPE].flatMap((t) => t.extensions.map((e) => e.id));

/** An operation whose path is a whole extension (the patch engine would read the URN as attribute names). */
function applyToExtension(
  resource: Record<string, unknown>,
  urn: string,
  operation: PatchOperation,
): Record<string, unknown> {
  const schemas = Array.isArray(resource.schemas) ? (resource.schemas as unknown[]) : [];
  const { [urn]: current, ...rest } = resource;
  if (operation.op === 'remove')
    return { ...rest, schemas: schemas.filter((s) => typeof s !== 'string' || !sameUrn(urn, s)) };
  if (!isObject(operation.value)) throw invalidValue(`the value for ${urn} must be an object`);
  const value =
    operation.op === 'add' && isObject(current) ? { ...current, ...operation.value } : operation.value;
  return { ...rest, schemas: schemas.includes(urn) ? schemas : [...schemas, urn], [urn]: value };
}

function mapPatchError(error: unknown): ScimError {
  if (error instanceof ScimError) return error;
  const name = error instanceof Error ? error.constructor.name : '';
  const detail =
    error instanceof Error ? error.message.replace(/^Invalid SCIM Patch: /, '') : 'invalid PATCH';
  switch (name) {
    case 'NoTarget':
    case 'FilterOnEmptyArray':
    case 'FilterArrayTargetNotFound':
    case 'NoPathInScimPatchOp':
      return noTarget(detail);
    case 'InvalidScimPatchOp':
    case 'InvalidRemoveOpPath':
      return invalidPath(detail);
    default:
      return invalidValue(detail);
  }
}
