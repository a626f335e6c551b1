/**
 * Sign-in with the tenant's Entra ID, as a single-page app (IAM's app flow, RFC 8252 + PKCE): the
 * console sends the tab to IAM's sign-in with its own redirect URI (`/console/sign-in/entra`, which
 * must be registered on the provider), Entra sends it back there with a code, and the console
 * redeems the code with the verifier it kept. The access token then lives in memory only, like an
 * admin token. Across the round trip the tab keeps just the one-time verifier (sessionStorage: this
 * tab only, removed on return); the code is cleared from the address bar and history at once.
 */
import { redeemSignIn, seg } from './api';
import { BASE, currentPath } from './router';

const PENDING = 'iam-console:entra-sign-in';
export const ENTRA_CALLBACK = '/sign-in/entra';

/** What to register on the provider as a redirect URI for the console. */
export const consoleRedirectUri = (): string => `${window.location.origin}${BASE}${ENTRA_CALLBACK}`;

export async function startEntraSignIn(tenantId: string, scheme: string): Promise<void> {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  sessionStorage.setItem(PENDING, JSON.stringify({ tenantId, scheme, verifier }));
  const query = new URLSearchParams({
    redirect_uri: consoleRedirectUri(),
    code_challenge: base64url(new Uint8Array(digest)),
    code_challenge_method: 'S256',
  });
  window.location.assign(`/v1/login/${seg(tenantId)}/${seg(scheme)}?${query}`);
}

/** On the console's redirect URI: IAM's access token for the code Entra sent; undefined elsewhere. */
export async function finishEntraSignIn(): Promise<string | undefined> {
  if (currentPath() !== ENTRA_CALLBACK) return undefined;
  const params = new URLSearchParams(window.location.search);
  const pending = sessionStorage.getItem(PENDING);
  sessionStorage.removeItem(PENDING);
  window.history.replaceState(null, '', `${BASE}/`);
  try {
    const refused = params.get('error');
    if (refused)
      throw new Error(`Entra ID refused the sign-in: ${params.get('error_description') ?? refused}`);
    if (!pending) throw new Error('This sign-in was not started in this tab: start it again.');
    const { tenantId, scheme, verifier } = JSON.parse(pending) as Record<string, string>;
    const answer: Record<string, string> = { code_verifier: verifier! };
    for (const key of ['code', 'state', 'iss']) {
      const value = params.get(key);
      if (value !== null) answer[key] = value;
    }
    return (await redeemSignIn(tenantId!, scheme!, answer)).accessToken;
  } finally {
    // Told once the app listens (this runs from the first render's effects): the console is at its start again.
    window.dispatchEvent(new PopStateEvent('popstate'));
  }
}

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}
