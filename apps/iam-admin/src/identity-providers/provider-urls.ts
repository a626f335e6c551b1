/**
 * The shape of the URLs a provider is saved with. Where IAM may actually connect is the outbound
 * address policy's business (`assertOutboundUrl` at save time, its agents on every connection):
 * together they allow https anywhere public, and http only on a loopback host, which that policy
 * in turn refuses in production — so a production authority is always https.
 */

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Entra's multi-tenant endpoints: tokens from them name each user's own tenant as issuer. */
const MULTI_TENANT = new Set(['common', 'organizations', 'consumers']);

/** A tenant id (GUID) or one of its domains, as the first path segment of an Entra authority. */
const TENANT_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$/;

const ENTRA_SHAPE =
  'https://login.microsoftonline.com/{tenant id or domain}/v2.0 (or that path on a national-cloud host)';

/** https, or http on a loopback host (a local OpenID Provider in development and tests). */
export function isWebUrl(value: unknown): boolean {
  const url = parse(value);
  return (
    !!url && (url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)))
  );
}

/**
 * Why a value is not an authority IAM can sign in with, or undefined when it is: a tenant-specific
 * Entra ID v2.0 authority. Sign-in requires the discovery document's issuer to be the authority
 * itself, which v1 authorities and the multi-tenant `/common`, `/organizations` and `/consumers`
 * endpoints never satisfy, so they are refused when saved rather than answering 502 at every sign-in.
 */
export function authorityProblem(value: unknown): string | undefined {
  const url = parse(value);
  if (!url) return `authority must be a URL: ${ENTRA_SHAPE}`;
  if (!isWebUrl(value)) return 'authority must be an https URL (http only for a loopback host)';
  if (url.username || url.password || url.search || url.hash) {
    return 'authority must carry no user, password, query or fragment';
  }
  const [tenant, version, ...rest] = url.pathname.split('/').slice(1);
  if (!tenant || version !== 'v2.0' || rest.length > 0 || !TENANT_SEGMENT.test(tenant)) {
    return `authority must be a tenant-specific Entra ID v2.0 authority: ${ENTRA_SHAPE}`;
  }
  if (MULTI_TENANT.has(tenant.toLowerCase())) {
    return `authority must name one Entra tenant (its id or domain), not '${tenant}': ${ENTRA_SHAPE}`;
  }
  return undefined;
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
