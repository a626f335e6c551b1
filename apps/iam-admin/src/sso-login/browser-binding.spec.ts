import type { FastifyRequest } from 'fastify';
import { IamAdminConfig } from '../config/iam-admin.config';
import { BrowserBindingCookie, createBrowserBinding, isSameBrowser } from './browser-binding';

const cookieFor = (IAM_PUBLIC_URL?: string) =>
  new BrowserBindingCookie({ IAM_PUBLIC_URL, LOGIN_STATE_TTL_SECONDS: 600 } as IamAdminConfig);
const request = (protocol: 'http' | 'https', cookie?: string) =>
  ({ protocol, headers: cookie === undefined ? {} : { cookie } }) as FastifyRequest;

describe('browser binding of a web sign-in', () => {
  it('keeps only a digest, which the value matches and nothing else does', () => {
    const { value, digest } = createBrowserBinding();
    expect(value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(digest).not.toContain(value);
    expect(isSameBrowser(digest, value)).toBe(true);
    expect(isSameBrowser(digest, createBrowserBinding().value)).toBe(false);
    expect(isSameBrowser(digest, undefined)).toBe(false);
    expect(isSameBrowser(undefined, value)).toBe(false);
    expect(isSameBrowser(digest, digest)).toBe(false);
  });

  it('is a Secure __Host- cookie when IAM_PUBLIC_URL is https, whatever scheme the request came with', () => {
    const cookie = cookieFor('https://iam.contoso.com');
    expect(cookie.set(request('http'), 'v')).toBe(
      '__Host-iam-login=v; Path=/; Max-Age=600; HttpOnly; SameSite=Lax; Secure',
    );
    expect(cookie.cleared(request('https'))).toBe(
      '__Host-iam-login=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax; Secure',
    );
    // Over https only the __Host- cookie counts: a plain one could have been planted over http.
    expect(cookie.read(request('https', 'iam-login=planted'))).toBeUndefined();
    expect(cookie.read(request('https', 'a=b; __Host-iam-login=v; c=d'))).toBe('v');
  });

  it('follows the request when no public URL is set, and has no Secure name on plain http', () => {
    const cookie = cookieFor();
    expect(cookie.set(request('https'), 'v')).toContain('__Host-iam-login=v;');
    expect(cookie.set(request('http'), 'v')).toBe('iam-login=v; Path=/; Max-Age=600; HttpOnly; SameSite=Lax');
    expect(cookieFor('http://127.0.0.1:3000').set(request('https'), 'v')).toMatch(/^iam-login=v;/);
    expect(cookie.read(request('http', 'iam-login=v'))).toBe('v');
    expect(cookie.read(request('http'))).toBeUndefined();
  });
});
