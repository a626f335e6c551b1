import { BadRequestException } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { appCodeChallenge, appCodeVerifier, loginFlowOf } from './login-flow';

describe('which flow a redirect URI is', () => {
  const iam = { tenantId: 't-1', scheme: 'contoso' };

  it("is web for IAM's own callback only", () => {
    expect(loginFlowOf('http://127.0.0.1:3000/v1/login/t-1/contoso/callback', iam)).toBe('web');
    expect(loginFlowOf('https://iam.example/v1/login/t-1/contoso/callback', iam)).toBe('web');
    for (const uri of [
      'msauth.com.contoso.app://auth',
      'http://localhost:53123/',
      'https://iam.example/v1/login/t-1/other/callback', // another provider's callback
      'https://iam.example/v1/login/t-1/contoso/callback?next=x',
      'myapp://iam.example/v1/login/t-1/contoso/callback',
    ]) {
      expect(loginFlowOf(uri, iam)).toBe('app');
    }
  });

  it('is web only on IAM_PUBLIC_URL when that is set', () => {
    const behindProxy = { ...iam, publicUrl: 'https://iam.example/iam/' };
    expect(loginFlowOf('https://iam.example/iam/v1/login/t-1/contoso/callback', behindProxy)).toBe('web');
    expect(loginFlowOf('https://other.example/v1/login/t-1/contoso/callback', behindProxy)).toBe('app');
    expect(loginFlowOf('http://localhost:8080/v1/login/t-1/contoso/callback', behindProxy)).toBe('app');
  });
});

describe("an app's PKCE (RFC 7636)", () => {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');

  it('takes an S256 challenge and a well-formed verifier', () => {
    expect(appCodeChallenge({ code_challenge: challenge, code_challenge_method: 'S256' })).toBe(challenge);
    expect(appCodeVerifier({ code_verifier: verifier })).toBe(verifier);
  });

  it.each([
    [{ code_challenge: challenge }, 'code_challenge_method'],
    [{ code_challenge: verifier, code_challenge_method: 'plain' }, 'code_challenge_method'],
    [{ code_challenge_method: 'S256' }, 'code_challenge:'],
    [{ code_challenge: 'short', code_challenge_method: 'S256' }, 'code_challenge:'],
  ])('refuses %j naming %s', (query, field) => {
    expect(() => appCodeChallenge(query)).toThrow(BadRequestException);
    expect(() => appCodeChallenge(query)).toThrow(field);
  });

  it.each([
    {},
    { code_verifier: 'x'.repeat(42) },
    { code_verifier: 'x'.repeat(129) },
    { code_verifier: `${verifier}!` },
  ])('refuses the verifier %j', (params) => expect(() => appCodeVerifier(params)).toThrow('code_verifier'));
});
