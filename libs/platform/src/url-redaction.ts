/*
 * What of a request URL may be written to a log line or a span attribute. No imports: the tracing
 * preload uses these before Nest, pg and ioredis are loaded.
 */

export const REDACTED = '[redacted]';

/** `/health`, `/health/live`, `/health/ready` — not `/healthy/api/scim/v2/…`, which a tenant id could spell. */
export const isHealthProbe = (url: string): boolean => /^\/health(?:[/?]|$)/.test(url);

/** Query parameters that are credentials in flight (sign-in codes, state, PKCE verifiers, tokens): never logged. */
const SIGN_IN_SECRETS = new Set([
  'code',
  'state',
  'code_verifier',
  'id_token',
  'access_token',
  'session_state',
]);

/** The URL with sign-in secrets replaced, whatever the path (percent-encoded paths reach the same routes). */
export function withoutLoginSecrets(url: string): string {
  return redactQuery(url, (name) => SIGN_IN_SECRETS.has(name.toLowerCase()));
}

/**
 * The path with every query value replaced: SCIM filters (`userName eq "…"`), sign-in codes and
 * whatever else a client puts in a query stay out of the logs; the parameter names remain, for
 * debugging. Paths carry only ids.
 */
export function urlForLog(url: string): string {
  return redactQuery(url, () => true);
}

function redactQuery(url: string, redacted: (name: string) => boolean): string {
  const at = url.indexOf('?');
  if (at < 0) return url;
  const pairs = url
    .slice(at + 1)
    .split('&')
    .filter(Boolean)
    .map((pair) => {
      const name = pair.split('=')[0]!;
      return redacted(decodeName(name)) ? `${name}=${REDACTED}` : pair;
    });
  return `${url.slice(0, at)}?${pairs.join('&')}`;
}

function decodeName(name: string): string {
  try {
    return decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    return name;
  }
}
