import { ExecutionContext } from '@nestjs/common';
import { ScimError } from '@app/scim';
import { ScimAuthGuard, ScimUnauthorized } from './scim-auth.guard';
import { ScimPrincipal, ScimRequest } from './scim-principal';
import { ScimTokenVerifier } from './scim-token-verifier';

const TENANT = '0f8fad5b-d9cb-469f-a165-70867728950e';
const PRINCIPAL: ScimPrincipal = {
  tokenId: 'token-1',
  tenantId: TENANT,
  identityProviderId: 'idp-1',
  provider: 'azuread',
  expiresAt: Date.now() + 60_000,
};

describe('ScimAuthGuard', () => {
  const presented: string[] = [];
  const verifier = {
    authenticate: async (token: string) => {
      presented.push(token);
      return token === 'scim_good' ? PRINCIPAL : undefined;
    },
  } as unknown as ScimTokenVerifier;
  const guard = new ScimAuthGuard(verifier);

  const request = (authorization: string | undefined, tenantId?: string) =>
    ({ headers: { authorization }, params: { tenantId } }) as unknown as ScimRequest;
  const check = (req: ScimRequest) =>
    guard.canActivate({ switchToHttp: () => ({ getRequest: () => req }) } as unknown as ExecutionContext);
  /** The 401 the guard throws, with its detail. */
  const refusal = async (req: ScimRequest): Promise<ScimError> => {
    const error = await check(req).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ScimUnauthorized);
    expect((error as ScimError).status).toBe(401);
    return error as ScimError;
  };

  beforeEach(() => (presented.length = 0));

  it.each([
    ['no Authorization header', undefined],
    ['an empty header', ''],
    ['another scheme', 'Basic c2NpbTpnb29k'],
    ['Bearer without a token', 'Bearer '],
    ['a garbled header', 'Bearerscim_good'],
  ])('refuses %s without looking anything up', async (_what, header) => {
    expect((await refusal(request(header))).detail).toBe('a Bearer SCIM token is required');
    expect(presented).toEqual([]);
  });

  it('refuses a token the verifier does not know (unknown, revoked, expired)', async () => {
    const req = request('Bearer scim_unknown', TENANT);
    expect((await refusal(req)).detail).toBe('the SCIM token is unknown, revoked or expired');
    expect(presented).toEqual(['scim_unknown']);
    expect(req.scim).toBeUndefined();
  });

  it("refuses a known token under another tenant's path", async () => {
    const req = request('Bearer scim_good', '7c9e6679-7425-40de-944b-e07fc1f90ae7');
    expect((await refusal(req)).detail).toBe('the SCIM token is not valid for this tenant');
    expect(req.scim).toBeUndefined();
  });

  it('lets a known token in under its own tenant (any case) and sets the principal', async () => {
    for (const tenantId of [TENANT, TENANT.toUpperCase()]) {
      const req = request('Bearer scim_good', tenantId);
      await expect(check(req)).resolves.toBe(true);
      expect(req.scim).toEqual(PRINCIPAL);
    }
  });

  it('takes the tenant from the token on the tenant-less path', async () => {
    const req = request('bearer scim_good');
    await expect(check(req)).resolves.toBe(true);
    expect(req.scim).toEqual(PRINCIPAL);
  });
});
