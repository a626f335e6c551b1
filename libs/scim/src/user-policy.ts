import { invalidPath, invalidValue } from './errors';
import { Filter, parseFilter } from './filter';
import { hasForbiddenName } from './property-names';
import type { UserDocument } from './resource-document';
import {
  FOLDERS_SCHEMA,
  isOpenAttributeName,
  MAX_METADATA_KEY_LENGTH,
  METADATA_SCHEMA,
  ROLE_VALUES,
  RoleValue,
  USER_TYPES,
  UserType,
} from './schemas';

/*
 * Tenant policy attributes of a stored User document (seed 004), always canonical:
 *   roles: [{ value: 'Admin', display?: string, type?: string, primary: boolean }]  — de-duplicated by value,
 *          at most one primary; Entra's JSON-document-in-a-string values unwrapped
 *   userType: 'Premium' | 'Standard'                                                 — absent when none was sent
 *   'urn:…:2.0:CustomExtensionName': { folders: string[] }                           — trimmed, no empties, unique
 *   'urn:…:2.0:Metadata': { [key]: string }                                          — keys unique ignoring case
 * Both extension URNs are in `schemas` when their object is present; an empty one is left out.
 */

/** What tenant policy needs from a normalised User document (canonical values). */
export interface UserPolicyView {
  /** Canonical, de-duplicated, in document order. */
  roles: RoleValue[];
  /** Absent when the document has none. */
  userType?: UserType;
  /** Trimmed, empties dropped, de-duplicated (values as sent otherwise). */
  folders: string[];
  /** Key → string value. */
  metadata: Record<string, string>;
}

export interface StoredRole {
  value: RoleValue;
  display?: string;
  type?: string;
  primary: boolean;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const canonicalIn =
  <T extends string>(allowed: readonly T[]) =>
  (value: string): T | undefined => {
    const lower = value.trim().toLowerCase();
    return allowed.find((a) => a.toLowerCase() === lower);
  };

/** `admin` → `Admin`; undefined for anything that is not one of ROLE_VALUES. */
export const canonicalRole: (value: string) => RoleValue | undefined = canonicalIn(ROLE_VALUES);
/** `premium` → `Premium`; undefined for anything that is not one of USER_TYPES. */
export const canonicalUserType: (value: string) => UserType | undefined = canonicalIn(USER_TYPES);

/** A client value quoted for an error message, cut short (it may be long). */
const quoted = (value: unknown): string => {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return `'${text.length > 80 ? `${text.slice(0, 80)}…` : text}'`;
};

const notARole = (value: unknown, path: string) =>
  invalidValue(`${path} ${quoted(value)} is not an allowed role: use one of ${ROLE_VALUES.join(', ')}`);

/**
 * A role value as Entra sends it → the canonical role. In PATCH, Entra may send the app role
 * assignment as a JSON document inside the string (`"{\"id\":…,\"value\":\"Admin\",…}"`): its
 * `value` is the role. Returns the role and, from such a document, its display name.
 */
function roleValueOf(value: unknown, path: string): { value: RoleValue; display?: string } {
  if (typeof value !== 'string') throw notARole(value, path);
  let candidate: unknown = value;
  let display: string | undefined;
  if (value.trim().startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      throw notARole(value, path);
    }
    candidate = isObject(parsed) ? parsed.value : undefined;
    if (isObject(parsed) && typeof parsed.displayName === 'string') display = parsed.displayName;
  }
  const role = typeof candidate === 'string' ? canonicalRole(candidate) : undefined;
  if (!role) throw notARole(candidate ?? value, path);
  return display === undefined ? { value: role } : { value: role, display };
}

const booleanOf = (value: unknown, path: string): boolean => {
  if (value === undefined || value === null) return false;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value.trim()))
    return value.trim().toLowerCase() === 'true';
  throw invalidValue(`${path} must be a boolean`);
};

/** One role element in any shape Entra sends (an object, or a bare or JSON-wrapped value string). */
function roleOf(item: unknown, path: string): StoredRole {
  if (!isObject(item)) return { ...roleValueOf(item, `${path}.value`), primary: false };
  const entries = new Map(Object.entries(item).map(([k, v]) => [k.toLowerCase(), v] as const));
  const { value, display: fromDocument } = roleValueOf(entries.get('value'), `${path}.value`);
  const display = entries.get('display') ?? fromDocument;
  const type = entries.get('type');
  for (const [name, v] of [
    ['display', display],
    ['type', type],
  ] as const)
    if (v !== undefined && v !== null && typeof v !== 'string')
      throw invalidValue(`${path}.${name} must be a string`);
  return {
    value,
    ...(typeof display === 'string' && display !== '' ? { display } : {}),
    ...(typeof type === 'string' && type !== '' ? { type } : {}),
    primary: booleanOf(entries.get('primary'), `${path}.primary`),
  };
}

/** The canonical roles of a `roles` value: de-duplicated by role (the first keeps its place), one primary at most. */
export function normalizeRoles(value: unknown, path = 'roles'): StoredRole[] {
  const items = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  const roles: StoredRole[] = [];
  items.forEach((item, i) => {
    if (item === null || item === undefined) return;
    const role = roleOf(item, `${path}[${i}]`);
    const same = roles.find((r) => r.value === role.value);
    if (same) same.primary ||= role.primary;
    else roles.push(role);
  });
  let primarySeen = false;
  for (const role of roles) {
    if (role.primary && primarySeen) role.primary = false;
    primarySeen ||= role.primary;
  }
  return roles;
}

/** A present userType must be Premium or Standard in any case; absent, null or blank stays absent. */
export function normalizeUserType(value: unknown, path = 'userType'): UserType | undefined {
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === ''))
    return undefined;
  const type = typeof value === 'string' ? canonicalUserType(value) : undefined;
  if (!type) throw invalidValue(`${path} ${quoted(value)} is not allowed: use ${USER_TYPES.join(' or ')}`);
  return type;
}

/**
 * Folder values as Entra sends them (`Split([attr], ",")`, so values may carry spaces; a single
 * comma-separated string is split too): trimmed, empties dropped, de-duplicated.
 */
export function normalizeFolders(value: unknown, path = `${FOLDERS_SCHEMA}:folders`): string[] {
  if (value === undefined || value === null) return [];
  const items = typeof value === 'string' ? value.split(',') : Array.isArray(value) ? value : [value];
  const folders: string[] = [];
  items.forEach((item, i) => {
    if (item === null || item === undefined) return;
    const raw = isObject(item) ? item.value : item;
    if (typeof raw !== 'string' && typeof raw !== 'number')
      throw invalidValue(`${path}[${i}] must be a folder id or external id (a string)`);
    const folder = String(raw).trim();
    if (folder !== '' && !folders.includes(folder)) folders.push(folder);
  });
  return folders;
}

/** A Metadata key: an attribute name (RFC 7643 ATTRNAME), not a reserved property, not over-long. */
export function assertMetadataKey(key: string): void {
  if (!isOpenAttributeName(key) || hasForbiddenName(key))
    throw invalidValue(
      `${quoted(key)} is not a valid metadata key: use letters, digits, '-' and '_', starting with a letter, ` +
        `at most ${MAX_METADATA_KEY_LENGTH} characters`,
    );
}

/** A metadata value as stored: strings as sent, other JSON converted (seed 004); null or blank removes the key. */
export function metadataValue(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  const text =
    typeof value === 'string'
      ? value
      : isObject(value) || Array.isArray(value)
        ? JSON.stringify(value)
        : String(value);
  return text === '' ? undefined : text;
}

/** Sets (or, for an absent value, removes) a key; keys match ignoring case and keep their first spelling. */
function setMetadata(metadata: Record<string, string>, key: string, value: unknown): void {
  assertMetadataKey(key);
  const existing = Object.keys(metadata).find((k) => k.toLowerCase() === key.toLowerCase());
  const text = metadataValue(value);
  if (text === undefined) {
    if (existing !== undefined) delete metadata[existing];
  } else metadata[existing ?? key] = text;
}

const POLICY_EXTENSIONS = [FOLDERS_SCHEMA, METADATA_SCHEMA];

/** The policy extension a canonical key or path belongs to, and the attribute it names (if it names one). */
export function policyExtensionOf(path: string): { urn: string; attribute?: string } | undefined {
  const lower = path.toLowerCase();
  for (const urn of POLICY_EXTENSIONS) {
    if (lower === urn.toLowerCase()) return { urn };
    if (lower.startsWith(urn.toLowerCase() + ':')) return { urn, attribute: path.slice(urn.length + 1) };
  }
  return undefined;
}

const metadataOf = (document: Record<string, unknown>): Record<string, string> =>
  isObject(document[METADATA_SCHEMA]) ? { ...(document[METADATA_SCHEMA] as Record<string, string>) } : {};
const foldersOf = (document: Record<string, unknown>): string[] => {
  const extension = document[FOLDERS_SCHEMA];
  return isObject(extension) && Array.isArray(extension.folders) ? [...(extension.folders as string[])] : [];
};

/**
 * Stores an extension object (listing its URN in `schemas`), or removes both when it is empty. An
 * extension already there keeps its place, so an unchanged document stays equal to the stored one.
 */
function withExtension(
  document: Record<string, unknown>,
  urn: string,
  value: Record<string, unknown> | undefined,
): Record<string, unknown> {
  const schemas = Array.isArray(document.schemas) ? (document.schemas as unknown[]) : [];
  const isUrn = (s: unknown) => typeof s === 'string' && s.toLowerCase() === urn.toLowerCase();
  if (!value || Object.keys(value).length === 0) {
    const { [urn]: _removed, ...rest } = document;
    return { ...rest, schemas: schemas.filter((s) => !isUrn(s)) };
  }
  return { ...document, schemas: schemas.some(isUrn) ? schemas : [...schemas, urn], [urn]: value };
}

const foldersExtension = (folders: string[]) => (folders.length > 0 ? { folders } : undefined);

/**
 * Merges one body key of a policy extension into a document being built: the extension object
 * (`{"urn:…:CustomExtensionName": {"folders": […]}}`) or one URN-qualified attribute
 * (`"urn:…:Metadata:costCenter": "42"`). The key's URN is canonical already.
 */
export function mergePolicyExtension(out: Record<string, unknown>, key: string, value: unknown): void {
  const target = policyExtensionOf(key);
  if (!target) return;
  const entries =
    target.attribute !== undefined
      ? [[target.attribute, value] as const]
      : isObject(value)
        ? Object.entries(value)
        : (() => {
            throw invalidValue(`${target.urn} must be an object`);
          })();
  if (target.urn === FOLDERS_SCHEMA) {
    for (const [name, v] of entries)
      if (name.toLowerCase() === 'folders') {
        const folders = foldersExtension(normalizeFolders(v));
        if (folders) out[FOLDERS_SCHEMA] = folders;
        else delete out[FOLDERS_SCHEMA];
      }
    return;
  }
  const metadata = metadataOf(out);
  for (const [name, v] of entries) setMetadata(metadata, name, v);
  if (Object.keys(metadata).length > 0) out[METADATA_SCHEMA] = metadata;
  else delete out[METADATA_SCHEMA];
}

/** Roles and userType of a document being built, made canonical (refused when not allowed). */
export function normalizeUserPolicyAttributes(out: Record<string, unknown>): void {
  if (out.roles !== undefined) out.roles = normalizeRoles(out.roles);
  const userType = normalizeUserType(out.userType);
  if (userType) out.userType = userType;
  else delete out.userType;
}

/** The policy-relevant values of a normalised User document. */
export function userPolicyView(document: UserDocument): UserPolicyView {
  const roles = Array.isArray(document.roles)
    ? (document.roles as unknown[])
        .map((r) => (isObject(r) && typeof r.value === 'string' ? canonicalRole(r.value) : undefined))
        .filter((r): r is RoleValue => r !== undefined)
    : [];
  const userType = typeof document.userType === 'string' ? canonicalUserType(document.userType) : undefined;
  return {
    roles: roles.filter((r, i) => roles.indexOf(r) === i),
    ...(userType ? { userType } : {}),
    folders: normalizeFolders(foldersOf(document)),
    metadata: metadataOf(document),
  };
}

/** A copy with policy defaults applied: the role when the document has none, the userType when absent. */
export function withUserDefaults(
  document: UserDocument,
  defaults: { role?: RoleValue; userType?: UserType },
): UserDocument {
  const copy = structuredClone(document);
  if (defaults.role && userPolicyView(copy).roles.length === 0)
    copy.roles = [{ value: defaults.role, primary: true } satisfies StoredRole];
  if (defaults.userType && copy.userType === undefined) copy.userType = defaults.userType;
  return copy;
}

/** A copy with the folders extension set to exactly these values (none: the extension is removed). */
export function withFolders(document: UserDocument, folders: string[]): UserDocument {
  return withExtension(
    structuredClone(document),
    FOLDERS_SCHEMA,
    foldersExtension(normalizeFolders(folders)),
  ) as UserDocument;
}

/** One normalised PATCH operation (see patch.ts), as far as this file needs it. */
interface Operation {
  op: 'add' | 'replace' | 'remove';
  path?: string;
  value?: unknown;
}

const ROLES_PATH = /^roles(?:\[(.*)\])?(?:\.([A-Za-z$][\w$-]*))?$/is;

/**
 * Applies an operation on roles, folders or metadata, which the generic patch engine cannot do
 * the way Entra means them (roles filtered on a string "True", JSON-wrapped role values, a remove
 * listing values, metadata keys that match ignoring case). Undefined: not such an operation.
 */
export function applyUserPolicyOperation(
  document: Record<string, unknown>,
  operation: Operation,
): Record<string, unknown> | undefined {
  const path = operation.path;
  if (path === undefined) return undefined;
  const roles = ROLES_PATH.exec(path);
  if (roles) return applyRolesOperation(document, operation, roles[1], roles[2]);
  const target = policyExtensionOf(path);
  if (!target) return undefined;
  return target.urn === FOLDERS_SCHEMA
    ? applyFoldersOperation(document, operation, target.attribute)
    : applyMetadataOperation(document, operation, target.attribute);
}

/** Checks an operation's values before it is queued (the same rules as applying it). */
export function assertUserPolicyOperation(operation: Operation): void {
  const probe: Record<string, unknown> = { schemas: [] };
  const applied = applyUserPolicyOperation(probe, operation);
  if (applied?.roles !== undefined) normalizeRoles(applied.roles);
  if (operation.path === 'userType' && operation.op !== 'remove') normalizeUserType(operation.value);
}

function applyRolesOperation(
  document: Record<string, unknown>,
  { op, value }: Operation,
  filterText: string | undefined,
  sub: string | undefined,
): Record<string, unknown> {
  const current = normalizeRoles(document.roles);
  const set = (roles: StoredRole[]) =>
    roles.length === 0 && document.roles === undefined ? document : { ...document, roles };
  if (filterText === undefined) {
    if (sub !== undefined)
      throw invalidPath(`roles.${sub} needs a filter, e.g. roles[primary eq "True"].${sub}`);
    if (op === 'remove') {
      if (value === undefined || value === null) {
        const { roles: _removed, ...rest } = document;
        return rest;
      }
      // Remove with a value list removes only the roles it lists (never all of them).
      const listed = (Array.isArray(value) ? value : [value]).map(removalValue);
      return set(current.filter((r) => !listed.includes(r.value)));
    }
    const items = normalizeRoles(value);
    return set(op === 'add' ? normalizeRoles([...current, ...items]) : items);
  }
  const filter = parseRoleFilter(filterText);
  const matched = current.filter((role) => matchesRole(filter, role));
  if (op === 'remove') {
    if (sub === undefined || sub.toLowerCase() === 'value')
      return set(current.filter((r) => !matched.includes(r)));
    const name = sub.toLowerCase() as 'display' | 'type';
    if (name !== 'display' && name !== 'type')
      throw invalidPath(`roles has no removable sub-attribute '${sub}'`);
    return set(
      current.map((r) => (matched.includes(r) ? { ...r, [name]: undefined } : r)).map(dropUndefined),
    );
  }
  const replacement = (role: StoredRole | undefined): StoredRole => {
    if (sub === undefined) return roleOf(isObject(value) ? { ...implied(filter), ...value } : value, 'roles');
    const base = role ?? ({ ...implied(filter) } as StoredRole);
    switch (sub.toLowerCase()) {
      case 'value': {
        // A new role value: the old display name described the old role.
        const { display: _old, ...rest } = base;
        return {
          ...rest,
          ...roleValueOf(value, `roles[${filterText}].value`),
          primary: base.primary ?? false,
        };
      }
      case 'display':
      case 'type':
        if (typeof value !== 'string') throw invalidValue(`roles[${filterText}].${sub} must be a string`);
        return roleOf({ ...base, [sub.toLowerCase()]: value }, 'roles');
      case 'primary':
        return roleOf({ ...base, primary: value }, 'roles');
      default:
        throw invalidPath(`roles has no sub-attribute '${sub}'`);
    }
  };
  // A filtered add/replace on a missing element creates it (Entra sets its primary role this way).
  if (matched.length === 0) return set(normalizeRoles([...current, replacement(undefined)]));
  return set(normalizeRoles(current.map((r) => (matched.includes(r) ? replacement(r) : r))));
}

const dropUndefined = <T extends object>(value: T): T =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;

/** What a remove lists: `{value}` objects, bare or JSON-wrapped strings. Unknown roles match nothing. */
function removalValue(item: unknown): string | undefined {
  const raw = isObject(item) ? item.value : item;
  if (typeof raw !== 'string') return undefined;
  try {
    return roleValueOf(raw, 'roles').value;
  } catch {
    return undefined;
  }
}

/** Only `eq` comparisons joined by and/or/not: what Entra's role paths need, evaluated on canonical roles. */
function parseRoleFilter(text: string): Filter {
  const filter = parseFilter(text);
  const check = (f: Filter): void => {
    if (f.kind === 'and' || f.kind === 'or') {
      check(f.left);
      check(f.right);
    } else if (f.kind === 'not') check(f.filter);
    else if (
      f.kind !== 'compare' ||
      f.op !== 'eq' ||
      !['value', 'display', 'type', 'primary'].includes(f.attrPath.toLowerCase())
    )
      throw invalidPath(`roles[${text}]: only eq on value, display, type or primary is supported`);
  };
  check(filter);
  return filter;
}

function matchesRole(filter: Filter, role: StoredRole): boolean {
  switch (filter.kind) {
    case 'and':
      return matchesRole(filter.left, role) && matchesRole(filter.right, role);
    case 'or':
      return matchesRole(filter.left, role) || matchesRole(filter.right, role);
    case 'not':
      return !matchesRole(filter.filter, role);
    case 'compare': {
      const wanted = String(filter.value).toLowerCase();
      const name = filter.attrPath.toLowerCase();
      if (name === 'primary') return String(role.primary) === wanted;
      if (name === 'value') return role.value === canonicalRole(wanted);
      const actual = role[name as 'display' | 'type'];
      return actual !== undefined && actual.toLowerCase() === wanted;
    }
    default:
      return false;
  }
}

/** The element a filter describes (`primary eq "True"` → `{primary: true}`), for creating it when missing. */
function implied(filter: Filter): Partial<StoredRole> {
  if (filter.kind === 'and') return { ...implied(filter.left), ...implied(filter.right) };
  if (filter.kind !== 'compare') return {};
  const name = filter.attrPath.toLowerCase();
  if (name === 'primary') return { primary: String(filter.value).toLowerCase() === 'true' };
  if (name === 'value' && typeof filter.value === 'string') return { value: filter.value as RoleValue };
  if ((name === 'display' || name === 'type') && typeof filter.value === 'string')
    return { [name]: filter.value };
  return {};
}

function applyFoldersOperation(
  document: Record<string, unknown>,
  { op, value }: Operation,
  attribute: string | undefined,
): Record<string, unknown> {
  let incoming: unknown = value;
  if (attribute === undefined) {
    // The whole extension: `{folders: [...]}`.
    if (op === 'remove') return withExtension(document, FOLDERS_SCHEMA, undefined);
    if (!isObject(value)) throw invalidValue(`the value for ${FOLDERS_SCHEMA} must be an object`);
    incoming = Object.entries(value).find(([k]) => k.toLowerCase() === 'folders')?.[1];
  } else if (attribute.toLowerCase() !== 'folders') {
    throw invalidPath(`'${FOLDERS_SCHEMA}:${attribute}' names no attribute of User`);
  }
  const current = foldersOf(document);
  const listed = normalizeFolders(incoming);
  const folders =
    op === 'replace'
      ? listed
      : op === 'add'
        ? [...current, ...listed]
        : // Remove with values removes only those folders; without, all of them.
          value === undefined || value === null || attribute === undefined
          ? []
          : current.filter((f) => !listed.includes(f));
  return withExtension(document, FOLDERS_SCHEMA, foldersExtension(normalizeFolders(folders)));
}

function applyMetadataOperation(
  document: Record<string, unknown>,
  { op, value }: Operation,
  key: string | undefined,
): Record<string, unknown> {
  let metadata = metadataOf(document);
  if (key !== undefined) setMetadata(metadata, key, op === 'remove' ? undefined : value);
  else if (op === 'remove') metadata = {};
  else {
    if (!isObject(value)) throw invalidValue(`the value for ${METADATA_SCHEMA} must be an object`);
    if (op === 'replace') metadata = {};
    for (const [name, v] of Object.entries(value)) setMetadata(metadata, name, v);
  }
  return withExtension(document, METADATA_SCHEMA, metadata);
}
