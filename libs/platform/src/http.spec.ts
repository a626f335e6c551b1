import { validateEnvironment } from './config';
import { cookieValue, trustedProxies } from './http';
import { ServiceConfig } from './service-config';

const required = { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/x' };

describe('HTTP edge settings', () => {
  it('trusts no proxy unless told, then a hop count or the named addresses', () => {
    expect(trustedProxies(undefined)).toBe(false);
    expect(trustedProxies('')).toBe(false);
    expect(trustedProxies('1')).toBe(1);
    expect(trustedProxies('10.0.0.0/8, 127.0.0.1')).toEqual(['10.0.0.0/8', '127.0.0.1']);
  });

  it('validates TRUST_PROXY, HTTP_REQUEST_TIMEOUT_MS and LOG_PERSONAL_DATA', () => {
    const defaults = validateEnvironment(ServiceConfig, { ...required, TRUST_PROXY: '' });
    expect(defaults).toMatchObject({ LOG_PERSONAL_DATA: false, HTTP_REQUEST_TIMEOUT_MS: 30000 });
    expect(() => validateEnvironment(ServiceConfig, { ...required, TRUST_PROXY: 'true' })).toThrow(
      /TRUST_PROXY/,
    );
    expect(() => validateEnvironment(ServiceConfig, { ...required, LOG_PERSONAL_DATA: 'yes' })).toThrow(
      /LOG_PERSONAL_DATA/,
    );
    expect(
      validateEnvironment(ServiceConfig, { ...required, LOG_PERSONAL_DATA: 'TRUE' }).LOG_PERSONAL_DATA,
    ).toBe(true);
  });
});

describe('cookieValue', () => {
  it('finds a cookie by exact name among others, spaces around names and values ignored', () => {
    expect(cookieValue('a=1; iam-login=xyz; b=2', 'iam-login')).toBe('xyz');
    expect(cookieValue(' iam-login = x=y ', 'iam-login')).toBe('x=y');
    expect(cookieValue('xiam-login=1; iam-login2=2', 'iam-login')).toBeUndefined();
    expect(cookieValue(undefined, 'iam-login')).toBeUndefined();
    expect(cookieValue('=orphan', '')).toBeUndefined();
  });
});
