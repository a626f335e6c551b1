/**
 * The console's only way to IAM: the public admin API, with the admin token the operator typed.
 * The token lives in this closure (and React state) only — never in storage or cookies — so a
 * reload or a closed tab signs out.
 */

import { ROLE_VALUES, USER_TYPES } from '../../../libs/scim/src/schemas';

/** The tenant policy's values, from the pure SCIM schema module the API validates against. */
export { ROLE_VALUES, USER_TYPES };
/** How a subject signs in (the API's loginMethod). */
export const LOGIN_METHODS = ['entra', 'built-in'] as const;

/** `mine`: the tenant of a tenant-bound token (no X-Tenant-Id header is sent). */
export const OWN_TENANT = 'mine';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface Page<T> {
  total: number;
  limit: number;
  offset: number;
  items: T[];
}

export interface Tenant {
  id: string;
  displayName: string;
  enabled: boolean;
  isDefault: boolean;
  createdAt: string;
}

export interface ProviderProperties {
  loginEnabled: boolean;
  visible: boolean;
  delegationEnabled: boolean;
  autoProvisioningEnabled: boolean;
  clientId: string;
  hasClientSecret: boolean;
  usePkce: boolean;
  authority: string;
  responseType: string;
  scope: string;
  redirectUris: string[];
}

export interface Provider {
  scheme: string;
  displayName: string;
  enabled: boolean;
  type: string;
  properties: ProviderProperties;
  /** What a customer copies into Entra (on the single-provider read). */
  connector?: Connector;
  updatedAt: string;
}

export interface Connector {
  /** Entra provisioning's Tenant URL. */
  scimBaseUrl: string;
  redirectUris: { web: string; mobileAndDesktop: string[] };
}

export interface ScimToken {
  id: string;
  provider: string;
  providerDisplayName: string;
  tokenHint: string;
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
}

export interface ConnectionTest {
  request: { method: string; url: string };
  status: number | null;
  contentType: string | null;
  body: string;
  error: string | null;
  durationMs: number;
}

export interface Subject {
  id: string;
  userName: string;
  externalId: string | null;
  displayName: string | null;
  active: boolean;
  provider: string | null;
  source: string;
  /** 'scim': Entra owns its account attributes (userName, emails, name, active, externalId, displayName). */
  managedBy: string | null;
  roles: string[];
  userType: string | null;
  access: { app: boolean; portal: boolean };
  /** Folder ids. */
  folders: string[];
  metadata: Record<string, string>;
  createdAt: string;
  updatedAt: string;
  [more: string]: unknown;
}

export interface SubjectLogin {
  loginMethod: string;
  passwordSet: boolean;
  invitationExpiresAt: string | null;
  lockedUntil: string | null;
}

export interface Invitation {
  token: string;
  expiresAt: string;
  url: string;
}

/** A subject-change event as published to the event stream (libs/contracts SubjectEvent). */
export interface SubjectEventEntry {
  id: string;
  type: string;
  occurredAt: string;
  source: string;
  sequence: number;
  changedAttributes?: string[];
  /** When the relay published it; null while it waits in the outbox. */
  publishedAt: string | null;
  [more: string]: unknown;
}

export interface Folder {
  id: string;
  displayName: string;
  externalId: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface Domain {
  domain: string;
  status: 'pending' | 'verified';
  txtRecord: { name: string; value: string };
  verifiedAt: string | null;
  lastCheckedAt: string | null;
  lastError: string | null;
  createdAt: string;
}

export interface ProvisioningSettings {
  provider: string | null;
  settingsOf: 'provider' | 'tenant' | 'none';
  defaultRole: string | null;
  defaultUserType: string | null;
  requireVerifiedDomain: boolean;
  ignoreUnknownFolders: boolean;
  allowedMetadataKeys: string[] | null;
  version: number;
  updatedAt: string | null;
  updatedBy: string | null;
}

export interface Group {
  id: string;
  displayName: string;
  externalId: string | null;
  memberCount: number;
  createdAt: string;
  updatedAt: string;
}

export interface AuditEntry {
  id: string;
  occurredAt: string;
  source: string;
  provider: string | null;
  operation: string;
  resourceType: string;
  resourceId: string | null;
  userName: string | null;
  changedAttributes: string[];
  outcome: string;
  status: number;
  scimType: string | null;
  message: string | null;
}

export interface Webhook {
  id: string;
  url: string;
  eventTypes: string[];
  createdAt: string;
}

export interface WebhookDeadLetter {
  id: string;
  eventId: string;
  eventType: string;
  attempts: number;
  lastError: string;
  failedAt: string;
  redeliveredAt: string | null;
}

export interface WebhookDelivery {
  eventId: string;
  eventType: string;
  attempt: number;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  at: string;
}

export interface ProvisioningDeadLetter {
  id: string;
  command: string;
  targetId: string | null;
  attempts: number;
  error: string;
  createdAt: string;
  resolvedAt: string | null;
  resolvedBy: string | null;
}

type Query = Record<string, string | number | undefined>;

export interface CallOptions {
  tenant?: string;
  body?: unknown;
  query?: Query;
}

export type Api = ReturnType<typeof createApi>;

export function createApi(token: string) {
  function call<T>(method: string, path: string, options: CallOptions = {}): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (options.tenant && options.tenant !== OWN_TENANT) headers['x-tenant-id'] = options.tenant;
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined && value !== '') query.set(key, String(value));
    }
    return send<T>(method, `${path}${query.size ? `?${query}` : ''}`, headers, options.body);
  }

  return {
    get: <T>(path: string, options?: CallOptions) => call<T>('GET', path, options),
    post: <T>(path: string, options?: CallOptions) => call<T>('POST', path, options),
    put: <T>(path: string, options?: CallOptions) => call<T>('PUT', path, options),
    patch: <T>(path: string, options?: CallOptions) => call<T>('PATCH', path, options),
    delete: (path: string, options?: CallOptions) => call<void>('DELETE', path, options),
  };
}

/** One JSON request to IAM (same origin, no cookies, no cache); a non-2xx answer is an ApiError with its message. */
async function send<T>(
  method: string,
  url: string,
  headers: Record<string, string>,
  body: unknown,
): Promise<T> {
  const response = await fetch(url, {
    method,
    headers: {
      ...headers,
      accept: 'application/json',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'omit',
    cache: 'no-store',
  });
  const text = await response.text();
  const answer: unknown = text ? parseJson(text) : undefined;
  if (!response.ok)
    throw new ApiError(response.status, messageOf(answer) ?? `${response.status} ${response.statusText}`);
  return answer as T;
}

/**
 * The last step of a sign-in with the tenant's Entra ID: the code Entra sent to the console's own
 * redirect URI, redeemed with the PKCE verifier this tab kept (IAM's app flow). Answers IAM's access token.
 */
export function redeemSignIn(
  tenantId: string,
  scheme: string,
  params: Record<string, string>,
): Promise<{ accessToken: string }> {
  return send('POST', `/v1/login/${seg(tenantId)}/${seg(scheme)}/token`, {}, params);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The admin API's JSON errors carry `message` (a string, or a list naming fields). */
function messageOf(body: unknown): string | undefined {
  if (typeof body === 'string') return body;
  if (!body || typeof body !== 'object') return undefined;
  const message = (body as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : undefined;
}

/** Paths are built from ids the API returned; encode them anyway. */
export const seg = encodeURIComponent;
