import { Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { cookieValue } from '@app/platform';
import { IamAdminConfig } from '../config/iam-admin.config';

/** A fresh value for the cookie, and the digest the login state keeps instead of the value. */
export function createBrowserBinding(): { value: string; digest: string } {
  const value = randomBytes(32).toString('base64url');
  return { value, digest: digestOf(value) };
}

/** Whether the cookie the callback received is the one its login was started with. */
export function isSameBrowser(digest: string | undefined, value: string | undefined): boolean {
  if (!digest || !value) return false;
  const expected = Buffer.from(digest);
  const actual = Buffer.from(digestOf(value));
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/**
 * Ties a web sign-in to the browser that started it. The callback URL (code and state) shows up
 * in browser history, Referer headers and proxy logs, and IAM itself holds the PKCE verifier, so
 * without this whoever requested that URL first would receive the person's access token. The
 * start sets an HttpOnly, SameSite=Lax cookie with a random value, the login state keeps only its
 * SHA-256, and the callback requires the cookie (RFC 9700: state bound to the user agent).
 *
 * Over https the cookie is `__Host-iam-login`, Secure, so no subdomain or plain-http response can
 * plant one; on plain http (local use and tests) it is `iam-login` without Secure, as browsers
 * refuse Secure cookies from http origins. One browser has one pending web sign-in: starting
 * another replaces the cookie.
 */
@Injectable()
export class BrowserBindingCookie {
  constructor(private readonly config: IamAdminConfig) {}

  /** The Set-Cookie header that gives the browser this value until the login state expires. */
  set(request: FastifyRequest, value: string): string {
    return this.cookie(request, value, this.config.LOGIN_STATE_TTL_SECONDS);
  }

  /** The Set-Cookie header that removes it. */
  cleared(request: FastifyRequest): string {
    return this.cookie(request, '', 0);
  }

  /** The value the browser sent, if any. */
  read(request: FastifyRequest): string | undefined {
    return cookieValue(request.headers.cookie, this.name(request));
  }

  private cookie(request: FastifyRequest, value: string, maxAge: number): string {
    const secure = this.secure(request);
    return `${this.name(request)}=${value}; Path=/; Max-Age=${maxAge}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
  }

  private name(request: FastifyRequest): string {
    return this.secure(request) ? '__Host-iam-login' : 'iam-login';
  }

  /** https as the public URL says, or else as the request came (behind TRUST_PROXY, as forwarded). */
  private secure(request: FastifyRequest): boolean {
    const publicUrl = this.config.IAM_PUBLIC_URL;
    return publicUrl ? new URL(publicUrl).protocol === 'https:' : request.protocol === 'https';
  }
}

function digestOf(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}
