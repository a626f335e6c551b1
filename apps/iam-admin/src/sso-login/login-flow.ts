import { BadRequestException } from '@nestjs/common';

/**
 * Where a login's code goes: `web` = IAM's own callback, which holds the PKCE verifier itself;
 * `app` = a mobile or desktop app's redirect URI, where the app holds the verifier (RFC 8252).
 */
export type LoginFlow = 'web' | 'app';

/**
 * IAM's own callback (`…/v1/login/{tenantId}/{scheme}/callback`, on IAM_PUBLIC_URL when that is
 * set) is the web flow; any other registered redirect URI belongs to an app, which receives the
 * code itself and so must prove with its own PKCE verifier that it started the sign-in.
 */
export function loginFlowOf(
  redirectUri: string,
  iam: { tenantId: string; scheme: string; publicUrl?: string },
): LoginFlow {
  const path = `/v1/login/${iam.tenantId}/${iam.scheme}/callback`;
  if (iam.publicUrl) return redirectUri === iam.publicUrl.replace(/\/+$/, '') + path ? 'web' : 'app';
  const url = new URL(redirectUri); // registered redirect URIs are validated URLs
  const web = ['http:', 'https:'].includes(url.protocol) && url.pathname === path && !url.search;
  return web ? 'web' : 'app';
}

/** An app's PKCE challenge (RFC 7636): S256 only, the base64url SHA-256 of its verifier. */
export function appCodeChallenge(query: Record<string, string | undefined>): string {
  if (query.code_challenge_method !== 'S256') {
    throw new BadRequestException(
      'code_challenge_method: an app redirect URI needs PKCE with code_challenge_method=S256',
    );
  }
  const challenge = query.code_challenge;
  if (!challenge || !/^[A-Za-z0-9_-]{43}$/.test(challenge)) {
    throw new BadRequestException(
      'code_challenge: an app redirect URI needs code_challenge, the base64url SHA-256 (43 characters) of a code_verifier the app keeps',
    );
  }
  return challenge;
}

/** An app's PKCE verifier (RFC 7636: 43 to 128 unreserved characters). */
export function appCodeVerifier(params: Record<string, string | undefined>): string {
  const verifier = params.code_verifier;
  if (!verifier || !/^[A-Za-z0-9._~-]{43,128}$/.test(verifier)) {
    throw new BadRequestException(
      'code_verifier: required, 43 to 128 characters [A-Za-z0-9._~-], the verifier whose S256 was sent as code_challenge',
    );
  }
  return verifier;
}
