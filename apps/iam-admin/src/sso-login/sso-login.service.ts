import { isUUID } from 'class-validator';
import {
  BadRequestException,
  ForbiddenException,
  Injectable,
  NotFoundException,
  UnauthorizedException,
} from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { generators } from 'openid-client';
import { Repository } from 'typeorm';
import { IdentityProviderEntity, TenantEntity } from '@app/database';
import { requireEnabledTenant } from '../tenants/enabled-tenant';
import { IamTokensService } from './iam-tokens.service';
import { LoginStateStore } from './login-state.store';
import { OidcClientsService } from './oidc-clients.service';
import { EntraClaims, SubjectResolverService } from './subject-resolver.service';

export interface LoginResult {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  subject: { id: string; userName: string; displayName: string | null; justInTime: boolean };
}

/**
 * Sign-in with a tenant's Entra ID provider: authorization code flow with state, nonce and (when
 * the provider says so) PKCE; the code is exchanged with the decrypted client secret and the ID
 * token validated (signature by the provider's JWKS, issuer, audience = clientId, nonce, expiry)
 * by openid-client; then the subject is resolved and IAM issues its own access token.
 */
@Injectable()
export class SsoLoginService {
  constructor(
    @InjectRepository(IdentityProviderEntity) private readonly providers: Repository<IdentityProviderEntity>,
    @InjectRepository(TenantEntity) private readonly tenants: Repository<TenantEntity>,
    private readonly clients: OidcClientsService,
    private readonly states: LoginStateStore,
    private readonly resolver: SubjectResolverService,
    private readonly tokens: IamTokensService,
  ) {}

  /** The login page's list: a tenant's enabled, visible providers. */
  async visibleProviders(
    tenantId: string,
  ): Promise<Array<{ scheme: string; displayName: string; type: string }>> {
    await this.tenant(tenantId);
    const found = await this.providers.find({
      where: { tenantId, enabled: true, loginEnabled: true, visible: true },
      order: { displayName: 'ASC' },
    });
    return found.map((p) => ({ scheme: p.scheme, displayName: p.displayName, type: p.type }));
  }

  /** Where to send the browser: the provider's authorization endpoint. */
  async begin(tenantId: string, scheme: string, redirectUri: string | undefined): Promise<string> {
    const provider = await this.loginProvider(tenantId, scheme);
    if (!redirectUri || !provider.redirectUris.includes(redirectUri)) {
      throw new BadRequestException(
        'redirect_uri must be one of the redirect URIs registered for this provider',
      );
    }
    const client = await this.clients.clientFor(provider);
    const state = generators.state();
    const nonce = generators.nonce();
    const codeVerifier = provider.usePkce ? generators.codeVerifier() : undefined;
    await this.states.save(state, { tenantId, scheme, redirectUri, nonce, codeVerifier });
    return client.authorizationUrl({
      redirect_uri: redirectUri,
      response_type: provider.responseType,
      scope: provider.scope,
      state,
      nonce,
      ...(codeVerifier
        ? { code_challenge: generators.codeChallenge(codeVerifier), code_challenge_method: 'S256' }
        : {}),
    });
  }

  /** The way back: exchange the code, validate the ID token, resolve the subject, issue IAM's token. */
  async complete(
    tenantId: string,
    scheme: string,
    params: Record<string, string | undefined>,
  ): Promise<LoginResult> {
    if (params.error)
      throw new UnauthorizedException(
        `the identity provider refused: ${params.error_description ?? params.error}`,
      );
    const saved = params.state ? await this.states.take(params.state) : undefined;
    if (!saved || saved.tenantId !== tenantId || saved.scheme !== scheme) {
      throw new UnauthorizedException('unknown, expired or already used login state');
    }
    const provider = await this.loginProvider(tenantId, scheme);
    const client = await this.clients.clientFor(provider);
    let claims: EntraClaims;
    try {
      const tokenSet = await client.callback(
        saved.redirectUri,
        { code: params.code, state: params.state, id_token: params.id_token },
        {
          state: params.state,
          nonce: saved.nonce,
          code_verifier: saved.codeVerifier,
          response_type: provider.responseType,
        },
      );
      claims = tokenSet.claims() as EntraClaims;
    } catch (error) {
      throw new UnauthorizedException(`sign-in failed: ${(error as Error).message}`);
    }
    const { subject, created } = await this.resolver.resolve(tenantId, provider, claims);
    const roles = Array.isArray(subject.document.roles)
      ? (subject.document.roles as Array<{ value?: unknown }>)
          .map((r) => r.value)
          .filter((v): v is string => typeof v === 'string')
      : [];
    const { accessToken, expiresIn } = this.tokens.issue({
      id: subject.id,
      tenantId,
      roles,
      provider: scheme,
    });
    return {
      accessToken,
      tokenType: 'Bearer',
      expiresIn,
      subject: {
        id: subject.id,
        userName: subject.userName,
        displayName: subject.displayName,
        justInTime: created,
      },
    };
  }

  private async loginProvider(tenantId: string, scheme: string): Promise<IdentityProviderEntity> {
    await this.tenant(tenantId);
    const provider = await this.providers.findOneBy({ tenantId, scheme });
    if (!provider) throw new NotFoundException(`identity provider '${scheme}' does not exist`);
    if (!provider.enabled || !provider.loginEnabled)
      throw new ForbiddenException(`sign-in through '${scheme}' is disabled`);
    return provider;
  }

  private async tenant(tenantId: string): Promise<void> {
    if (!isUUID(tenantId)) throw new NotFoundException(`tenant ${tenantId} does not exist`);
    await requireEnabledTenant(this.tenants, tenantId);
  }
}
