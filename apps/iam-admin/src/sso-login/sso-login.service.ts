import {
  BadRequestException,
  ForbiddenException,
  Injectable,
  NotFoundException,
  UnauthorizedException,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { generators } from 'openid-client';
import { DataSource } from 'typeorm';
import { IamAdminConfig } from '../config/iam-admin.config';
import {
  IdentityProviderRow,
  IdentityProvidersRepository,
} from '../identity-providers/identity-providers.repository';
import { SubjectRow } from '../subjects/subjects.repository';
import { EnabledTenants } from '../tenants/enabled-tenants';
import { createBrowserBinding, isSameBrowser } from './browser-binding';
import { IamTokensService } from './iam-tokens.service';
import { appCodeChallenge, appCodeVerifier, LoginFlow, loginFlowOf } from './login-flow';
import { LoginState, LoginStateStore } from './login-state.store';
import { OidcClientsService } from './oidc-clients.service';
import { EntraClaims, SubjectResolverService } from './subject-resolver.service';

export interface LoginResult {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  subject: { id: string; userName: string; displayName: string | null; justInTime: boolean };
}

/**
 * The answer to a finished sign-in, Entra or built-in: IAM's access token for the subject (its
 * roles; `idp` the provider scheme, or BUILT_IN_IDP) and who signed in.
 */
export function signInResult(
  tokens: IamTokensService,
  subject: SubjectRow,
  idp: string,
  justInTime: boolean,
): LoginResult {
  const { accessToken, expiresIn } = tokens.issue(subject, idp);
  return {
    accessToken,
    tokenType: 'Bearer',
    expiresIn,
    subject: { id: subject.id, userName: subject.userName, displayName: subject.displayName, justInTime },
  };
}

/**
 * Sign-in with a tenant's Entra ID provider: authorization code flow with state, nonce and PKCE.
 * On the web callback IAM keeps the PKCE verifier (when the provider uses PKCE) and requires the
 * cookie of the browser that started the sign-in; an app keeps the verifier for its own redirect
 * URI (always, RFC 8252). The code is exchanged with the decrypted client secret and the ID token
 * validated (signature by the provider's JWKS, issuer, audience = clientId, nonce, expiry) by
 * openid-client; then the subject is resolved and IAM issues its own access token.
 */
@Injectable()
export class SsoLoginService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly providers: IdentityProvidersRepository,
    private readonly tenants: EnabledTenants,
    private readonly clients: OidcClientsService,
    private readonly states: LoginStateStore,
    private readonly resolver: SubjectResolverService,
    private readonly tokens: IamTokensService,
    private readonly config: IamAdminConfig,
  ) {}

  /** The login page's list: a tenant's enabled, visible providers. */
  async visibleProviders(
    tenantId: string,
  ): Promise<Array<{ scheme: string; displayName: string; type: string }>> {
    await this.tenant(tenantId);
    const found = await this.providers.listVisible(this.dataSource, tenantId);
    return found.map((p) => ({ scheme: p.scheme, displayName: p.displayName, type: p.type }));
  }

  /**
   * Where to send the browser: the authorization endpoint of the provider's discovery document
   * (whose issuer is the configured authority). From the request only the redirect URI is taken,
   * and only when it is registered; an app's redirect URI also brings the app's PKCE challenge.
   * A web sign-in also returns the value of the cookie that binds it to this browser.
   * `clientAddress` counts against the pending sign-ins one address may hold.
   */
  async begin(
    tenantId: string,
    scheme: string,
    query: Record<string, string | undefined>,
    clientAddress: string,
  ): Promise<{ redirectTo: string; browserBinding?: string }> {
    const provider = await this.loginProvider(tenantId, scheme);
    const redirectUri = query.redirect_uri;
    if (!redirectUri || !provider.redirectUris.includes(redirectUri)) {
      throw new BadRequestException(
        'redirect_uri must be one of the redirect URIs registered for this provider',
      );
    }
    const flow = loginFlowOf(redirectUri, { tenantId, scheme, publicUrl: this.config.IAM_PUBLIC_URL });
    let codeVerifier: string | undefined;
    let codeChallenge: string | undefined;
    let browser: { value: string; digest: string } | undefined;
    if (flow === 'app') {
      codeChallenge = appCodeChallenge(query);
    } else {
      if (query.code_challenge !== undefined || query.code_challenge_method !== undefined) {
        throw new BadRequestException(
          'code_challenge: the web callback keeps its own PKCE verifier; send code_challenge only with an app redirect URI',
        );
      }
      if (provider.usePkce) codeVerifier = generators.codeVerifier();
      browser = createBrowserBinding();
    }
    const client = await this.clients.clientFor(provider);
    const state = generators.state();
    const nonce = generators.nonce();
    await this.states.save(
      state,
      {
        tenantId,
        scheme,
        redirectUri,
        flow,
        nonce,
        codeVerifier,
        codeChallenge,
        browserBinding: browser?.digest,
      },
      clientAddress,
    );
    const challenge = codeChallenge ?? (codeVerifier && generators.codeChallenge(codeVerifier));
    const redirectTo = client.authorizationUrl({
      redirect_uri: redirectUri,
      response_type: provider.responseType,
      scope: provider.scope,
      state,
      nonce,
      ...(challenge ? { code_challenge: challenge, code_challenge_method: 'S256' } : {}),
    });
    return { redirectTo, browserBinding: browser?.value };
  }

  /**
   * The way back: redeem the state (see `redeem`), hand the whole authorization response (code,
   * state, RFC 9207 iss…) to openid-client, which exchanges the code and validates the ID token;
   * resolve the subject and issue IAM's token. `browserBinding` is the web callback's cookie.
   */
  async complete(
    tenantId: string,
    scheme: string,
    flow: LoginFlow,
    params: Record<string, string | undefined>,
    browserBinding?: string,
  ): Promise<LoginResult> {
    const codeVerifier = flow === 'app' ? appCodeVerifier(params) : undefined;
    const saved = await this.redeem(tenantId, scheme, flow, params.state, { codeVerifier, browserBinding });
    if (params.error) {
      // The provider's error code only: error_description is free text anyone can put in a link.
      const code = /^[a-z_]{1,64}$/.test(params.error) ? params.error : 'unknown error';
      throw new UnauthorizedException(`the identity provider refused the sign-in (${code})`);
    }
    const provider = await this.loginProvider(tenantId, scheme);
    if (!provider.redirectUris.includes(saved.redirectUri)) {
      throw new UnauthorizedException(
        'the redirect URI this sign-in was started for is no longer registered',
      );
    }
    const client = await this.clients.clientFor(provider);
    let claims: EntraClaims;
    try {
      const tokenSet = await client.callback(saved.redirectUri, params, {
        state: params.state,
        nonce: saved.nonce,
        code_verifier: codeVerifier ?? saved.codeVerifier,
        response_type: provider.responseType,
      });
      claims = tokenSet.claims() as EntraClaims;
    } catch (error) {
      throw new UnauthorizedException(`sign-in failed: ${(error as Error).message}`);
    }
    const { subject, created } = await this.resolver.resolve(tenantId, provider, claims);
    return signInResult(this.tokens, subject, scheme, created);
  }

  /**
   * The login this state was started as, taken for this redemption only if it may have it: this
   * tenant and provider, this endpoint, and the proof that the caller started it (an app's PKCE
   * verifier, the web browser's cookie). Everything is compared before the state is taken, so
   * someone who merely saw a code and state cannot use up the real redemption with a wrong guess.
   */
  private async redeem(
    tenantId: string,
    scheme: string,
    flow: LoginFlow,
    state: string | undefined,
    proof: { codeVerifier?: string; browserBinding?: string },
  ): Promise<LoginState> {
    const unknown = () => new UnauthorizedException('unknown, expired or already used login state');
    if (!state) throw unknown();
    const saved = await this.states.peek(state);
    if (!saved || saved.tenantId !== tenantId || saved.scheme !== scheme) throw unknown();
    if (saved.flow !== flow) {
      throw new UnauthorizedException(
        saved.flow === 'app'
          ? "this sign-in was started for an app's redirect URI: only that app redeems its code, with its code_verifier"
          : 'this sign-in was started for the web callback: its code is redeemed there only',
      );
    }
    const verifier = proof.codeVerifier;
    if (flow === 'app' && (!verifier || generators.codeChallenge(verifier) !== saved.codeChallenge)) {
      throw new UnauthorizedException(
        'code_verifier does not match the code_challenge this sign-in was started with',
      );
    }
    if (flow === 'web' && !isSameBrowser(saved.browserBinding, proof.browserBinding)) {
      throw new UnauthorizedException(
        'this sign-in was started in another browser (or its sign-in cookie is missing): start it again',
      );
    }
    // Taken once: of two redemptions that both passed the checks, only one gets it.
    if (!(await this.states.take(state))) throw unknown();
    return saved;
  }

  private async loginProvider(tenantId: string, scheme: string): Promise<IdentityProviderRow> {
    await this.tenant(tenantId);
    const provider = await this.providers.findByScheme(this.dataSource, tenantId, scheme);
    if (!provider) throw new NotFoundException(`identity provider '${scheme}' does not exist`);
    if (!provider.enabled || !provider.loginEnabled)
      throw new ForbiddenException(`sign-in through '${scheme}' is disabled`);
    return provider;
  }

  private async tenant(tenantId: string): Promise<void> {
    await this.tenants.require(tenantId);
  }
}
