import { BadGatewayException, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { BaseClient, ClientMetadata, Issuer, TokenSet, TypeOfGenericClient } from 'openid-client';
import { DataSource } from 'typeorm';
import { OutboundAddressPolicy } from '@app/platform';
import { discoverIssuer, issuerUnderPolicy } from '@app/platform/outbound-openid';
import { IamAdminConfig } from '../config/iam-admin.config';
import { SEALED_COLUMNS } from '../crypto/sealed-columns';
import { SecretCipher } from '../crypto/secret-cipher';
import {
  IdentityProviderRow,
  IdentityProvidersRepository,
} from '../identity-providers/identity-providers.repository';
import {
  ENTRA_TENANT_ID,
  ENTRA_TENANT_PLACEHOLDER,
  isWebUrl,
  multiTenantIssuerTemplate,
} from '../identity-providers/provider-urls';

/** A provider's client as last built: a failed build is answered again until `retryAt`. */
interface CachedClient {
  version: number;
  client: Promise<BaseClient>;
  retryAt?: number;
}

/**
 * OpenID Connect clients per identity provider (openid-client): discovery from the provider's
 * `authority`, the decrypted client secret, PKCE when asked. Rebuilt when the provider changes.
 *
 * Anyone may start a sign-in, and a tenant admin chooses the authority, so a failed discovery
 * tells the caller nothing about why (a 404 from a port versus a refused connection would turn
 * sign-in into a port scanner) and is not tried again for OIDC_DISCOVERY_RETRY_SECONDS; the
 * reason goes to IAM's log.
 */
@Injectable()
export class OidcClientsService {
  private readonly logger = new Logger(OidcClientsService.name);
  private readonly clients = new Map<string, CachedClient>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly providers: IdentityProvidersRepository,
    private readonly cipher: SecretCipher,
    // Discovery, JWKS and token requests connect only where the outbound-address policy allows (SSRF).
    private readonly outbound: OutboundAddressPolicy,
    private readonly config: IamAdminConfig,
  ) {}

  clientFor(provider: IdentityProviderRow): Promise<BaseClient> {
    const version = new Date(provider.updatedAt).getTime();
    const cached = this.clients.get(provider.id);
    const usable =
      cached?.version === version && !(cached.retryAt !== undefined && Date.now() >= cached.retryAt);
    if (usable) return cached.client;
    const entry: CachedClient = { version, client: this.build(provider) };
    this.clients.set(provider.id, entry);
    entry.client.catch(() => {
      entry.retryAt = Date.now() + this.config.OIDC_DISCOVERY_RETRY_SECONDS * 1000;
    });
    return entry.client;
  }

  private async build(provider: IdentityProviderRow): Promise<BaseClient> {
    const issuer = await discoverIssuer(provider.authority, this.outbound).catch((error: unknown) => {
      throw this.discoveryFailed(provider, discoveryFailure(error));
    });
    // The browser is sent to this document's authorization endpoint: only the authority's own will
    // do — for /common and /organizations, the document whose issuer is Entra's template.
    const template = multiTenantIssuerTemplate(provider.authority);
    if (template ? issuer.issuer !== template : !isIssuerOf(provider.authority, issuer.issuer)) {
      throw this.discoveryFailed(
        provider,
        template
          ? `its issuer is not the multi-tenant template ${template}`
          : 'its issuer is not the configured authority',
      );
    }
    if (!isWebUrl(issuer.metadata.authorization_endpoint)) {
      throw this.discoveryFailed(provider, 'its authorization endpoint is not an https URL');
    }
    const sealed = await this.providers.sealedClientSecret(this.dataSource, provider);
    const clientSecret = sealed
      ? this.cipher.decrypt(sealed, SEALED_COLUMNS.identityProviderClientSecret, provider.id)
      : undefined;
    const metadata: ClientMetadata = {
      client_id: provider.clientId,
      client_secret: clientSecret,
      redirect_uris: provider.redirectUris,
      response_types: [provider.responseType],
      token_endpoint_auth_method: clientSecret ? 'client_secret_post' : 'none',
      id_token_signed_response_alg: 'RS256',
    };
    const Client = entraClient(issuer, metadata, {
      issuerTemplate: template,
      allowedTenants: provider.allowedEntraTenantIds,
      outbound: this.outbound,
    });
    return new Client(metadata);
  }

  /** The reason in IAM's log, for the operator; the same words for every reason in the 502. */
  private discoveryFailed(provider: IdentityProviderRow, reason: string): BadGatewayException {
    this.logger.warn(
      {
        event: 'oidc.discovery-failed',
        tenantId: provider.tenantId,
        provider: provider.scheme,
        authority: provider.authority,
        reason,
      },
      'OpenID discovery failed',
    );
    return new BadGatewayException(
      `OpenID discovery at ${provider.authority} failed; the details are in IAM's log`,
    );
  }
}

/** openid-client's ID token validation (signature, iss, aud, nonce, expiry), called by `callback`. */
type IdTokenValidation = (
  this: BaseClient,
  tokenSet: TokenSet | string,
  ...checks: unknown[]
) => Promise<TokenSet | string>;

/** Per-Entra-tenant validators one multi-tenant provider keeps (each fetches the JWKS once). */
const TENANT_VALIDATORS_MAX = 100;

/**
 * The provider's client class, with Entra's rules around openid-client's ID token validation:
 * - under a multi-tenant authority the token must come from one Entra tenant (`tid`, a GUID) and
 *   carry exactly that tenant's issuer — the discovery template with the tid substituted — so it
 *   is validated as a client of that issuer (same metadata, keys from the same jwks_uri) would;
 * - when the provider names allowed Entra tenants, a token from any other is refused, after it
 *   was validated and before any subject is looked up or created.
 * A tenant-specific authority keeps openid-client's exact issuer check.
 */
function entraClient(
  issuer: Issuer<BaseClient>,
  metadata: ClientMetadata,
  rules: { issuerTemplate?: string; allowedTenants: string[]; outbound: OutboundAddressPolicy },
): TypeOfGenericClient<BaseClient> {
  const validate = (issuer.Client.prototype as unknown as { validateIdToken: IdTokenValidation })
    .validateIdToken;
  const validators = new Map<string, BaseClient>();
  const validatorFor = (tid: string): BaseClient => {
    let validator = validators.get(tid);
    if (!validator) {
      const tenantIssuer = issuerUnderPolicy(
        { ...issuer.metadata, issuer: rules.issuerTemplate!.replace(ENTRA_TENANT_PLACEHOLDER, tid) },
        rules.outbound,
      );
      validator = new tenantIssuer.Client(metadata);
      if (validators.size >= TENANT_VALIDATORS_MAX) validators.delete(validators.keys().next().value!);
      validators.set(tid, validator);
    }
    return validator;
  };
  return class EntraClient extends issuer.Client {
    async validateIdToken(tokenSet: TokenSet | string, ...checks: unknown[]): Promise<TokenSet | string> {
      // Read before validation only to choose the issuer to validate against; trusted after it.
      const tid = entraTenantOf(typeof tokenSet === 'string' ? tokenSet : tokenSet.id_token);
      if (rules.issuerTemplate && tid === undefined) {
        throw new Error('the ID token names no Entra tenant (tid, a GUID) to check its issuer against');
      }
      const validated = await validate.call(
        rules.issuerTemplate ? validatorFor(tid!) : this,
        tokenSet,
        ...checks,
      );
      if (
        rules.allowedTenants.length > 0 &&
        (tid === undefined || !rules.allowedTenants.includes(tid.toLowerCase()))
      ) {
        throw new Error(
          `the Entra tenant ${tid ?? '(none)'} is not one this provider accepts sign-ins from (allowedEntraTenantIds)`,
        );
      }
      return validated;
    }
  };
}

/** The `tid` claim of a JWT, as it is, if it is an Entra tenant id; undefined otherwise. */
function entraTenantOf(jwt: string | undefined): string | undefined {
  try {
    const payload: unknown = JSON.parse(Buffer.from(jwt!.split('.')[1]!, 'base64url').toString('utf8'));
    const tid = (payload as { tid?: unknown }).tid;
    return typeof tid === 'string' && ENTRA_TENANT_ID.test(tid) ? tid : undefined;
  } catch {
    return undefined;
  }
}

/** The issuer a discovery document names is the authority it was fetched from (one trailing slash aside). */
function isIssuerOf(authority: string, issuer: unknown): boolean {
  return typeof issuer === 'string' && issuer.replace(/\/$/, '') === authority.replace(/\/$/, '');
}

/** Why discovery failed: the HTTP status or the network error code, never the response body. */
function discoveryFailure(error: unknown): string {
  const { response, code } = error as { response?: { statusCode?: number }; code?: unknown };
  if (response?.statusCode !== undefined) {
    return response.statusCode < 300
      ? `HTTP ${response.statusCode}, but not a discovery document`
      : `HTTP ${response.statusCode}`;
  }
  return typeof code === 'string' && /^[A-Z_]{2,40}$/.test(code) ? `no answer: ${code}` : 'no usable answer';
}
