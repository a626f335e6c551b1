import { BaseClient, custom, CustomHttpOptionsProvider, Issuer, IssuerMetadata } from 'openid-client';
import { OutboundAddressPolicy } from './outbound-address';

/**
 * OpenID discovery under the outbound-address policy: the discovery request, the issuer's JWKS
 * fetches and every request of its clients (token exchange) connect through the policy's agents.
 * openid-client 5 never follows redirects, so a redirect cannot lead around the check either.
 */
export async function discoverIssuer(
  authority: string,
  policy: OutboundAddressPolicy,
): Promise<Issuer<BaseClient>> {
  const httpOptions = policyHttpOptions(policy);
  // discover() sends its request with `this` = the class it was called on.
  class PolicyIssuer extends Issuer<BaseClient> {
    static override [custom.http_options] = httpOptions;
  }
  return underPolicy(await PolicyIssuer.discover(authority), httpOptions);
}

/**
 * An issuer from metadata already discovered (e.g. one Entra tenant's issuer under a multi-tenant
 * authority's document), its JWKS and clients' requests under the same policy.
 */
export function issuerUnderPolicy(
  metadata: IssuerMetadata,
  policy: OutboundAddressPolicy,
): Issuer<BaseClient> {
  return underPolicy(new Issuer(metadata), policyHttpOptions(policy));
}

function policyHttpOptions(policy: OutboundAddressPolicy): CustomHttpOptionsProvider {
  return (url, options) => ({
    ...options,
    agent: url.protocol === 'https:' ? policy.httpsAgent : policy.httpAgent,
  });
}

function underPolicy(issuer: Issuer<BaseClient>, httpOptions: CustomHttpOptionsProvider): Issuer<BaseClient> {
  issuer[custom.http_options] = httpOptions; // JWKS
  const clientPrototype = (issuer.Client as unknown as { prototype: BaseClient }).prototype;
  Object.defineProperty(clientPrototype, custom.http_options, { value: httpOptions }); // token, userinfo
  return issuer;
}
