/** RFC 7643 schema definitions: the single source for /Schemas, name canonicalisation, filter and type rules. */

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENTERPRISE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const LIST_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const PATCH_OP_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const SEARCH_REQUEST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
/** Seed 004's custom extensions: `…:CustomExtensionName:folders` and one `…:Metadata:{key}` per metadata key. */
export const FOLDERS_SCHEMA = 'urn:ietf:params:scim:schemas:extension:2.0:CustomExtensionName';
export const METADATA_SCHEMA = 'urn:ietf:params:scim:schemas:extension:2.0:Metadata';

/** Seed 004's app roles (any of them grants web portal access) and user types, canonical spelling. */
export const ROLE_VALUES = ['ReadOnly', 'User', 'Admin', 'EnterpriseAdmin'] as const;
export type RoleValue = (typeof ROLE_VALUES)[number];
export const USER_TYPES = ['Premium', 'Standard'] as const;
export type UserType = (typeof USER_TYPES)[number];

export type AttributeType =
  'string' | 'boolean' | 'decimal' | 'integer' | 'dateTime' | 'reference' | 'complex';

export interface AttributeDefinition {
  name: string;
  type: AttributeType;
  multiValued: boolean;
  description: string;
  required: boolean;
  caseExact: boolean;
  mutability: 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
  returned: 'always' | 'never' | 'default' | 'request';
  uniqueness: 'none' | 'server' | 'global';
  canonicalValues?: string[];
  referenceTypes?: string[];
  subAttributes?: AttributeDefinition[];
}

export interface SchemaDefinition {
  id: string;
  name: string;
  description: string;
  attributes: AttributeDefinition[];
  /**
   * Set when the schema's attribute names are chosen by the client (Metadata keys): any name that
   * passes `isOpenAttributeName` is an attribute of this shape. Not rendered in /Schemas.
   */
  openAttribute?: Omit<AttributeDefinition, 'name'>;
}

type Options = Partial<Omit<AttributeDefinition, 'name' | 'type' | 'subAttributes'>>;

const attr = (name: string, type: AttributeType, options: Options = {}): AttributeDefinition => ({
  name,
  type,
  multiValued: false,
  description: options.description ?? name,
  required: false,
  caseExact: false,
  mutability: 'readWrite',
  returned: 'default',
  uniqueness: 'none',
  ...options,
});
const str = (name: string, options: Options = {}) => attr(name, 'string', options);
const complex = (
  name: string,
  subAttributes: AttributeDefinition[],
  options: Options = {},
): AttributeDefinition => ({
  ...attr(name, 'complex', options),
  subAttributes,
});
/** The usual `{value, display, type, primary}` multi-valued shape of RFC 7643 §2.4. */
const multi = (name: string, types: string[], value: AttributeDefinition = str('value')) =>
  complex(
    name,
    [value, str('display'), str('type', { canonicalValues: types }), attr('primary', 'boolean')],
    { multiValued: true },
  );

export const USER_SCHEMA_DEFINITION: SchemaDefinition = {
  id: USER_SCHEMA,
  name: 'User',
  description: 'User Account',
  attributes: [
    str('userName', {
      required: true,
      uniqueness: 'server',
      description: 'Unique identifier for the User (case-insensitive)',
    }),
    complex('name', [
      str('formatted'),
      str('familyName'),
      str('givenName'),
      str('middleName'),
      str('honorificPrefix'),
      str('honorificSuffix'),
    ]),
    str('displayName'),
    str('nickName'),
    attr('profileUrl', 'reference', { referenceTypes: ['external'] }),
    str('title'),
    str('userType', {
      canonicalValues: [...USER_TYPES],
      description: 'Premium or Standard (any case is accepted, stored canonical)',
    }),
    str('preferredLanguage'),
    str('locale'),
    str('timezone'),
    attr('active', 'boolean'),
    str('password', { mutability: 'writeOnly', returned: 'never' }),
    multi('emails', ['work', 'home', 'other']),
    multi('phoneNumbers', ['work', 'home', 'mobile', 'fax', 'pager', 'other']),
    multi('ims', ['aim', 'gtalk', 'icq', 'xmpp', 'msn', 'skype', 'qq', 'yahoo']),
    multi('photos', ['photo', 'thumbnail'], attr('value', 'reference', { referenceTypes: ['external'] })),
    complex(
      'addresses',
      [
        str('formatted'),
        str('streetAddress'),
        str('locality'),
        str('region'),
        str('postalCode'),
        str('country'),
        str('type', { canonicalValues: ['work', 'home', 'other'] }),
        attr('primary', 'boolean'),
      ],
      { multiValued: true },
    ),
    complex(
      'groups',
      [
        str('value', { mutability: 'readOnly' }),
        attr('$ref', 'reference', { referenceTypes: ['Group'], mutability: 'readOnly' }),
        str('display', { mutability: 'readOnly' }),
        str('type', { mutability: 'readOnly', canonicalValues: ['direct', 'indirect'] }),
      ],
      { multiValued: true, mutability: 'readOnly', description: 'Groups the User belongs to (read-only)' },
    ),
    multi('entitlements', []),
    complex(
      'roles',
      [
        str('value', {
          canonicalValues: [...ROLE_VALUES],
          description:
            'An app role (any case is accepted, stored canonical); any role grants web portal access',
        }),
        str('display'),
        str('type'),
        attr('primary', 'boolean'),
      ],
      { multiValued: true },
    ),
    multi('x509Certificates', []),
  ],
};

export const ENTERPRISE_USER_SCHEMA_DEFINITION: SchemaDefinition = {
  id: ENTERPRISE_USER_SCHEMA,
  name: 'EnterpriseUser',
  description: 'Enterprise User',
  attributes: [
    str('employeeNumber'),
    str('costCenter'),
    str('organization'),
    str('division'),
    str('department'),
    complex('manager', [
      str('value', { caseExact: true, description: 'The id of the SCIM resource representing the manager' }),
      attr('$ref', 'reference', { referenceTypes: ['User'] }),
      str('displayName', { mutability: 'readOnly' }),
    ]),
  ],
};

export const FOLDERS_SCHEMA_DEFINITION: SchemaDefinition = {
  id: FOLDERS_SCHEMA,
  name: 'CustomExtensionName',
  description: 'Folders a User may access',
  attributes: [
    str('folders', {
      multiValued: true,
      caseExact: true,
      description:
        'Folder ids or folder external ids of the tenant (values are trimmed; a comma-separated string is split)',
    }),
  ],
};

/** Longest Metadata key accepted: far beyond any real key, short enough to stay a sane attribute name. */
export const MAX_METADATA_KEY_LENGTH = 128;

/**
 * Metadata keys are tenant-chosen (`urn:…:Metadata:{key}`), so the schema lists no fixed attributes;
 * a tenant may restrict the keys it accepts (IAM's provisioning settings).
 */
export const METADATA_SCHEMA_DEFINITION: SchemaDefinition = {
  id: METADATA_SCHEMA,
  name: 'Metadata',
  description:
    'User metadata: one string attribute per key, named urn:ietf:params:scim:schemas:extension:2.0:Metadata:{key} ' +
    '(keys are tenant-specific; other JSON values are converted to strings)',
  attributes: [],
  openAttribute: {
    type: 'string',
    multiValued: false,
    description: 'A metadata value',
    required: false,
    caseExact: false,
    mutability: 'readWrite',
    returned: 'default',
    uniqueness: 'none',
  },
};

/** RFC 7643 ATTRNAME (ALPHA *(ALPHA / DIGIT / "-" / "_")), bounded: what an open schema accepts as a name. */
export const isOpenAttributeName = (name: string): boolean =>
  name.length <= MAX_METADATA_KEY_LENGTH && /^[A-Za-z][\w-]*$/.test(name);

/**
 * Microsoft's own naming pattern for custom extensions (`urn:…:extension:CustomExtensionName:2.0:User`)
 * and the seed's (`urn:…:extension:2.0:CustomExtensionName`) name the same schema; the seed's is canonical.
 */
const EXTENSION_ALIASES: ReadonlyArray<readonly [string, string]> = [
  ['urn:ietf:params:scim:schemas:extension:customextensionname:2.0:user', FOLDERS_SCHEMA],
  ['urn:ietf:params:scim:schemas:extension:metadata:2.0:user', METADATA_SCHEMA],
];

/** A key, path or URN with an alias schema prefix rewritten to the canonical URN; anything else unchanged. */
export function canonicalSchemaPrefix(path: string): string {
  const lower = path.toLowerCase();
  for (const [alias, urn] of EXTENSION_ALIASES) {
    if (lower === alias) return urn;
    if (lower.startsWith(alias + ':')) return urn + path.slice(alias.length);
  }
  return path;
}

export const GROUP_SCHEMA_DEFINITION: SchemaDefinition = {
  id: GROUP_SCHEMA,
  name: 'Group',
  description: 'Group',
  attributes: [
    str('displayName', { required: true, uniqueness: 'server' }),
    complex(
      'members',
      [
        str('value', { mutability: 'immutable', caseExact: true }),
        attr('$ref', 'reference', { referenceTypes: ['User'], mutability: 'immutable' }),
        str('display', { mutability: 'readOnly' }),
        str('type', { mutability: 'immutable', canonicalValues: ['User'] }),
      ],
      {
        multiValued: true,
        description: 'Members of the Group: Users only (nested groups are not supported)',
      },
    ),
  ],
};

/** Attributes every resource has (RFC 7643 §3.1), outside any schema's attribute list. */
export const COMMON_ATTRIBUTES: AttributeDefinition[] = [
  str('id', { caseExact: true, mutability: 'readOnly', returned: 'always', uniqueness: 'server' }),
  str('externalId', { caseExact: true }),
  complex(
    'meta',
    [
      str('resourceType', { mutability: 'readOnly', caseExact: true }),
      attr('created', 'dateTime', { mutability: 'readOnly' }),
      attr('lastModified', 'dateTime', { mutability: 'readOnly' }),
      attr('location', 'reference', { mutability: 'readOnly' }),
      str('version', { mutability: 'readOnly', caseExact: true }),
    ],
    { mutability: 'readOnly' },
  ),
];

export interface ResourceTypeDefinition {
  name: 'User' | 'Group';
  endpoint: string;
  schema: SchemaDefinition;
  extensions: SchemaDefinition[];
}

export const USER_RESOURCE_TYPE: ResourceTypeDefinition = {
  name: 'User',
  endpoint: '/Users',
  schema: USER_SCHEMA_DEFINITION,
  extensions: [ENTERPRISE_USER_SCHEMA_DEFINITION, FOLDERS_SCHEMA_DEFINITION, METADATA_SCHEMA_DEFINITION],
};

export const GROUP_RESOURCE_TYPE: ResourceTypeDefinition = {
  name: 'Group',
  endpoint: '/Groups',
  schema: GROUP_SCHEMA_DEFINITION,
  extensions: [],
};

/** Where an attribute lives: in the core schema (urn undefined) or an extension. */
export interface ResolvedAttribute {
  urn?: string;
  definition: AttributeDefinition;
  sub?: AttributeDefinition;
  /** A client-named attribute of an open schema (a Metadata key): its name is as the client spelled it. */
  open?: true;
}

const byLowerName = (attributes: AttributeDefinition[]) =>
  new Map(attributes.map((a) => [a.name.toLowerCase(), a] as const));

/**
 * Resolves an attribute path such as `userName`, `name.givenName`, `emails.value`,
 * `urn:…:enterprise:2.0:User:manager.value` or `urn:…:core:2.0:User:title` case-insensitively.
 * Returns undefined for an attribute the resource type does not define.
 */
export function resolveAttribute(
  type: ResourceTypeDefinition,
  anyPath: string,
): ResolvedAttribute | undefined {
  const path = canonicalSchemaPrefix(anyPath);
  let urn: string | undefined;
  let rest = path;
  const lower = path.toLowerCase();
  for (const schema of [type.schema, ...type.extensions]) {
    const prefix = schema.id.toLowerCase() + ':';
    if (lower.startsWith(prefix)) {
      urn = schema.id === type.schema.id ? undefined : schema.id;
      rest = path.slice(prefix.length);
      break;
    }
  }
  if (rest.includes(':')) return undefined;
  const [name, subName, ...more] = rest.split('.');
  if (more.length > 0 || !name) return undefined;
  const extension = urn ? type.extensions.find((e) => e.id === urn)! : undefined;
  const pool = extension ? extension.attributes : [...COMMON_ATTRIBUTES, ...type.schema.attributes];
  const definition = byLowerName(pool).get(name.toLowerCase());
  if (!definition) {
    const open = extension?.openAttribute;
    return open && isOpenAttributeName(name) && subName === undefined
      ? { urn, definition: { ...open, name }, open: true }
      : undefined;
  }
  if (subName === undefined) return { urn, definition };
  const sub = byLowerName(definition.subAttributes ?? []).get(subName.toLowerCase());
  return sub ? { urn, definition, sub } : undefined;
}
