import { BadGatewayException, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { BaseClient } from 'openid-client';
import { DataSource } from 'typeorm';
import { OutboundAddressPolicy } from '@app/platform';
import { discoverIssuer } from '@app/platform/outbound-openid';
import { IamAdminConfig } from '../config/iam-admin.config';
import { SEALED_COLUMNS } from '../crypto/sealed-columns';
import { SecretCipher } from '../crypto/secret-cipher';
import {
  IdentityProviderRow,
  IdentityProvidersRepository,
} from '../identity-providers/identity-providers.repository';
import { isWebUrl } from '../identity-providers/provider-urls';

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
    // The browser is sent to this document's authorization endpoint: only the authority's own will do.
    if (!isIssuerOf(provider.authority, issuer.issuer)) {
      throw this.discoveryFailed(provider, 'its issuer is not the configured authority');
    }
    if (!isWebUrl(issuer.metadata.authorization_endpoint)) {
      throw this.discoveryFailed(provider, 'its authorization endpoint is not an https URL');
    }
    const sealed = await this.providers.sealedClientSecret(this.dataSource, provider);
    const clientSecret = sealed
      ? this.cipher.decrypt(sealed, SEALED_COLUMNS.identityProviderClientSecret, provider.id)
      : undefined;
    return new issuer.Client({
      client_id: provider.clientId,
      client_secret: clientSecret,
      redirect_uris: provider.redirectUris,
      response_types: [provider.responseType],
      token_endpoint_auth_method: clientSecret ? 'client_secret_post' : 'none',
      id_token_signed_response_alg: 'RS256',
    });
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
