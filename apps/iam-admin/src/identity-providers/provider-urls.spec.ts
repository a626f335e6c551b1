import {
  authorityProblem,
  isRedirectUri,
  isWebUrl,
  multiTenantIssuerTemplate,
  normalizeAuthority,
} from './provider-urls';

describe('provider URLs', () => {
  it.each([
    'https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0',
    'https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0',
    'https://login.microsoftonline.us/11111111-2222-3333-4444-555555555555/v2.0',
    'https://login.chinacloudapi.cn/contoso.partner.onmschina.cn/v2.0',
    'http://127.0.0.1:4000/11111111-2222-3333-4444-555555555555/v2.0',
    'http://localhost:4000/tenant/v2.0',
    'https://login.microsoftonline.com/common/v2.0',
    'https://login.microsoftonline.com/Organizations/v2.0',
  ])('accepts the v2.0 authority %s', (authority) => {
    expect(authorityProblem(authority)).toBeUndefined();
  });

  it.each([
    ['a v1 issuer', 'https://sts.windows.net/11111111-2222-3333-4444-555555555555/v2.0', 'v1 token issuer'],
    ['a trailing path', 'https://login.microsoftonline.com/contoso.com/v2.0/authorize', 'v2.0'],
    ['no tenant', 'https://login.microsoftonline.com/v2.0', 'v2.0'],
    ['an encoded tenant', 'https://login.microsoftonline.com/%2e%2e/v2.0', 'v2.0'],
    ['/Consumers (any case)', 'https://login.microsoftonline.com/Consumers/v2.0', "not 'Consumers'"],
    ['a v1 path', 'https://login.microsoftonline.com/contoso.com/oauth2/token', 'v2.0'],
    ['http on a public host', 'http://login.microsoftonline.com/contoso.com/v2.0', 'https'],
    ['another scheme', 'ftp://x/contoso.com/v2.0', 'https'],
    ['not a URL', 'login', 'URL'],
    ['credentials', 'https://u:p@login.microsoftonline.com/contoso.com/v2.0', 'no user'],
    ['a query', 'https://login.microsoftonline.com/contoso.com/v2.0?x=1', 'query'],
    ['a number', 42, 'URL'],
  ])('refuses %s, saying why', (_case, authority, reason) => {
    expect(authorityProblem(authority)).toContain(reason);
  });

  it.each([
    [
      'https://login.microsoftonline.com/FFFFFFFF-GGGG-HHHH-IIII-JJJJJJJJJJJJ',
      'https://login.microsoftonline.com/FFFFFFFF-GGGG-HHHH-IIII-JJJJJJJJJJJJ/v2.0',
    ],
    [
      'https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/',
      'https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0',
    ],
    ['https://login.microsoftonline.com/common', 'https://login.microsoftonline.com/common/v2.0'],
    ['http://127.0.0.1:4000/contoso.com', 'http://127.0.0.1:4000/contoso.com/v2.0'],
  ])('normalises the seed form %s to v2.0', (authority, normalised) => {
    expect(normalizeAuthority(authority)).toBe(normalised);
    expect(authorityProblem(normalizeAuthority(authority))).toBeUndefined();
  });

  it.each([
    'https://login.microsoftonline.com/contoso.com/v2.0',
    'https://login.microsoftonline.com/v2.0',
    'https://login.microsoftonline.com/',
    'https://login.microsoftonline.com/contoso.com?x=1',
    'https://sts.windows.net/11111111-2222-3333-4444-555555555555/',
    42,
  ])('leaves %j for the rules to judge', (authority) => {
    const normalised = normalizeAuthority(authority);
    expect(normalised === authority || authorityProblem(normalised) !== undefined).toBe(true);
  });

  it('knows the issuer template of the multi-tenant authorities only', () => {
    expect(multiTenantIssuerTemplate('https://login.microsoftonline.com/common/v2.0')).toBe(
      'https://login.microsoftonline.com/{tenantid}/v2.0',
    );
    expect(multiTenantIssuerTemplate('http://127.0.0.1:4000/ORGANIZATIONS/v2.0')).toBe(
      'http://127.0.0.1:4000/{tenantid}/v2.0',
    );
    expect(
      multiTenantIssuerTemplate(
        'https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0',
      ),
    ).toBeUndefined();
  });

  it('takes https anywhere and http only on a loopback host as a web URL', () => {
    expect(isWebUrl('https://login.example.com/x')).toBe(true);
    expect(isWebUrl('http://[::1]:80/x')).toBe(true);
    expect(isWebUrl('http://login.example.com/x')).toBe(false);
    expect(isWebUrl('javascript:alert(1)')).toBe(false);
  });

  it('accepts web, loopback and app-scheme redirect URIs, never script or fragment ones', () => {
    expect(isRedirectUri('https://app.contoso.com/cb')).toBe(true);
    expect(isRedirectUri('http://127.0.0.1:8400/cb')).toBe(true);
    expect(isRedirectUri('msauth.com.contoso.app://auth')).toBe(true);
    expect(isRedirectUri('http://app.contoso.com/cb')).toBe(false);
    expect(isRedirectUri('javascript:alert(1)')).toBe(false);
    expect(isRedirectUri('https://app.contoso.com/cb#x')).toBe(false);
  });
});
