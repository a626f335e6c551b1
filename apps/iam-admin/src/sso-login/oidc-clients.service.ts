import { BadGatewayException, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { BaseClient } from 'openid-client';
import { DataSource } from 'typeorm';
import { IdentityProviderEntity } from '@app/database';
import { OutboundAddressPolicy } from '@app/platform';
import { discoverIssuer } from '@app/platform/outbound-openid';
import { SEALED_COLUMNS } from '../crypto/sealed-columns';
import { SecretCipher } from '../crypto/secret-cipher';
import { isAuthorityUrl } from '../identity-providers/identity-provider.dto';

/**
 * OpenID Connect clients per identity provider (openid-client): discovery from the provider's
 * `authority`, the decrypted client secret, PKCE when asked. Rebuilt when the provider changes.
 */
@Injectable()
export class OidcClientsService {
  private readonly clients = new Map<string, { version: number; client: Promise<BaseClient> }>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly cipher: SecretCipher,
    // Discovery, JWKS and token requests connect only where the outbound-address policy allows (SSRF).
    private readonly outbound: OutboundAddressPolicy,
  ) {}

  clientFor(provider: IdentityProviderEntity): Promise<BaseClient> {
    const version = new Date(provider.updatedAt).getTime();
    const cached = this.clients.get(provider.id);
    if (cached && cached.version === version) return cached.client;
    const client = this.build(provider);
    this.clients.set(provider.id, { version, client });
    client.catch(() => this.clients.delete(provider.id)); // discovery failed: try again next time
    return client;
  }

  private async build(provider: IdentityProviderEntity): Promise<BaseClient> {
    const issuer = await discoverIssuer(provider.authority, this.outbound).catch((error: unknown) => {
      throw new BadGatewayException(discoveryFailure(provider.authority, error));
    });
    // The browser is sent to this document's authorization endpoint: only the authority's own will do.
    if (!isIssuerOf(provider.authority, issuer.issuer)) {
      throw new BadGatewayException(
        `OpenID discovery at ${provider.authority} failed (its issuer is not the configured authority)`,
      );
    }
    if (!isAuthorityUrl(issuer.metadata.authorization_endpoint)) {
      throw new BadGatewayException(
        `OpenID discovery at ${provider.authority} failed (its authorization endpoint is not an https URL)`,
      );
    }
    const [row] = await this.dataSource.query(
      `SELECT client_secret_ciphertext FROM identity_providers WHERE id = $1`,
      [provider.id],
    );
    const clientSecret = row?.client_secret_ciphertext
      ? this.cipher.decrypt(
          row.client_secret_ciphertext,
          SEALED_COLUMNS.identityProviderClientSecret,
          provider.id,
        )
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
}

/** The issuer a discovery document names is the authority it was fetched from (one trailing slash aside). */
function isIssuerOf(authority: string, issuer: unknown): boolean {
  return typeof issuer === 'string' && issuer.replace(/\/$/, '') === authority.replace(/\/$/, '');
}

/** Why discovery failed, for the 502: the HTTP status or the network error code, never the response body. */
function discoveryFailure(authority: string, error: unknown): string {
  const { response, code } = error as { response?: { statusCode?: number }; code?: unknown };
  const why =
    response?.statusCode === undefined
      ? typeof code === 'string' && /^[A-Z_]{2,40}$/.test(code)
        ? `no answer: ${code}`
        : 'no usable answer'
      : response.statusCode < 300
        ? `HTTP ${response.statusCode}, but not a discovery document`
        : `HTTP ${response.statusCode}`;
  return `OpenID discovery at ${authority} failed (${why})`;
}
