/**
 * The shape of the URLs a provider is saved with. Where IAM may actually connect is the outbound
 * address policy's business (`assertOutboundUrl` at save time, its agents on every connection):
 * together they allow https anywhere public, and http only on a loopback host, which that policy
 * in turn refuses in production — so a production authority is always https.
 */

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Entra's multi-tenant endpoints IAM signs in with: their discovery names the issuer template
 * `…/{tenantid}/v2.0`, and each token's issuer is that template with the token's own `tid`.
 */
const MULTI_TENANT = new Set(['common', 'organizations']);

/** Where Entra's v1 tokens come from: an issuer, never an authority to sign in at. */
const V1_ISSUER_HOST = 'sts.windows.net';

/** Personal Microsoft accounts only: never an organization's directory. */
const CONSUMERS = 'consumers';

/** The placeholder of a multi-tenant discovery document's issuer. */
export const ENTRA_TENANT_PLACEHOLDER = '{tenantid}';

/** An Entra tenant id (`tid`): a GUID. */
export const ENTRA_TENANT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A tenant id (GUID) or one of its domains, as the first path segment of an Entra authority. */
const TENANT_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$/;

const ENTRA_SHAPE =
  'https://login.microsoftonline.com/{tenant id, domain, common or organizations}/v2.0 (or that path on a national-cloud host)';

/** https, or http on a loopback host (a local OpenID Provider in development and tests). */
export function isWebUrl(value: unknown): boolean {
  const url = parse(value);
  return (
    !!url && (url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)))
  );
}

/**
 * Why a value is not an authority IAM can sign in with, or undefined when it is: an Entra ID v2.0
 * authority, tenant-specific (the discovery issuer must then be the authority itself) or the
 * multi-tenant `/common` or `/organizations` (see MULTI_TENANT). `/consumers` (personal accounts)
 * is refused. The seed's `https://login.microsoftonline.com/{tenant}` form arrives here already
 * normalised to v2.0 (normalizeAuthority).
 */
export function authorityProblem(value: unknown): string | undefined {
  const url = parse(value);
  if (!url) return `authority must be a URL: ${ENTRA_SHAPE}`;
  if (!isWebUrl(value)) return 'authority must be an https URL (http only for a loopback host)';
  if (url.username || url.password || url.search || url.hash) {
    return 'authority must carry no user, password, query or fragment';
  }
  if (url.hostname === V1_ISSUER_HOST) {
    return `authority must be the v2.0 sign-in authority, not the v1 token issuer ${V1_ISSUER_HOST}: ${ENTRA_SHAPE}`;
  }
  const [tenant, version, ...rest] = url.pathname.split('/').slice(1);
  if (!tenant || version !== 'v2.0' || rest.length > 0 || !TENANT_SEGMENT.test(tenant)) {
    return `authority must be a tenant-specific Entra ID v2.0 authority: ${ENTRA_SHAPE}`;
  }
  if (tenant.toLowerCase() === CONSUMERS) {
    return `authority must be an organization's Entra tenant (its id or domain, common or organizations), not '${tenant}' (personal accounts): ${ENTRA_SHAPE}`;
  }
  return undefined;
}

/**
 * The v2.0 authority of the seed's form `https://login.microsoftonline.com/{tenant}` (the
 * Directory (tenant) ID appended to the login URL, with or without a trailing slash); any other
 * value as it came, for authorityProblem to judge.
 */
export function normalizeAuthority(value: unknown): unknown {
  const url = parse(value);
  const match = url && !url.search && !url.hash ? /^\/([^/]+)\/?$/.exec(url.pathname) : null;
  const tenant = match?.[1];
  const isTenant = tenant !== undefined && TENANT_SEGMENT.test(tenant) && !/^v\d+(\.\d+)?$/i.test(tenant);
  return isTenant ? `${url!.origin}/${tenant}/v2.0` : value;
}

/**
 * The issuer a multi-tenant authority's discovery document names (`…/{tenantid}/v2.0`), or
 * undefined for a tenant-specific authority, whose issuer is the authority itself.
 */
export function multiTenantIssuerTemplate(authority: string): string | undefined {
  const url = parse(authority);
  const tenant = url?.pathname.split('/')[1];
  if (!url || !tenant || !MULTI_TENANT.has(tenant.toLowerCase())) return undefined;
  return `${url.origin}/${ENTRA_TENANT_PLACEHOLDER}/v2.0`;
}

/**
 * A redirect URI as Entra app registrations allow them: https for web, http only on a loopback host
 * (desktop apps), or an app's private scheme for mobile (`msauth.com.contoso.app://auth`).
 */
export function isRedirectUri(value: unknown): boolean {
  if (typeof value !== 'string' || value.length > 2000) return false;
  const url = parse(value);
  if (!url || url.hash || url.username || url.password) return false;
  if (url.protocol === 'https:' || url.protocol === 'http:') return isWebUrl(value);
  return (
    /^[a-z][a-z0-9+.-]*:$/.test(url.protocol) &&
    !['javascript:', 'data:', 'file:', 'vbscript:'].includes(url.protocol)
  );
}

function parse(value: unknown): URL | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}
