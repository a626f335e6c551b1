import jwt from 'jsonwebtoken';
import { createHash, generateKeyPairSync, KeyObject, randomBytes, randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { seedProviderBody } from './fixtures';

/** The person "signed in" at the fake Entra: the claims Entra puts in a v2.0 ID token. */
export interface EntraUser {
  oid: string;
  /** Left out to see what a client does without it. */
  preferred_username?: string;
  email?: string;
  name?: string;
  /** The Entra tenant the person belongs to (`tid`, and the issuer of the token); the fake's own by default. */
  tid?: string;
}

/** Ways to make the provider misbehave, to prove the client refuses it. */
export interface EntraFaults {
  signWithForeignKey?: boolean;
  audience?: string;
  expired?: boolean;
  nonce?: string;
  /** Adds an RFC 9207 `iss` to the authorization response (which this provider does not advertise). */
  iss?: string;
  /** Discovery answers this status, with a body that must never reach IAM's callers. */
  discoveryStatus?: number;
  /** Discovery names this issuer and sends browsers to this authorization endpoint: a mix-up or open redirect. */
  discoveryIssuer?: string;
  authorizationEndpoint?: string;
  /** The ID token's issuer names this Entra tenant instead of the token's tid. */
  issuerTenantId?: string;
  /** The ID token carries this tid (null: none) instead of the user's. */
  tid?: string | null;
}

/** Entra's multi-tenant endpoints the fake serves besides its own tenant's. */
const MULTI_TENANT_SEGMENTS = ['common', 'organizations'];

/** What the fake puts in a failed discovery's body: tests assert it never shows in IAM's answers. */
export const DISCOVERY_ERROR_BODY = 'internal diagnostics: db=10.0.0.7 password=hunter2';

interface PendingCode {
  clientId: string;
  redirectUri: string;
  nonce?: string;
  codeChallenge?: string;
  user: EntraUser;
  used: boolean;
}

/**
 * A real OpenID Provider on loopback, shaped like Entra ID v2.0: issuer
 * `http://127.0.0.1:<port>/<tenant-id>/v2.0`, discovery, JWKS, an authorize endpoint that signs in
 * `user` at once, a token endpoint that checks the client secret, redirect URI, PKCE and single use
 * of codes, and RS256 ID tokens with oid/tid/preferred_username/email/name.
 */
export class FakeEntra {
  readonly tenantId = randomUUID();
  /** How many times a client fetched the discovery document. */
  discoveryRequests = 0;
  user: EntraUser = { oid: randomUUID(), preferred_username: 'user@contoso.com' };
  faults: EntraFaults = {};
  private readonly key = generateKeyPairSync('rsa', { modulusLength: 2048 });
  private readonly foreignKey: KeyObject = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  private readonly kid = randomUUID();
  private readonly codes = new Map<string, PendingCode>();
  private server?: Server;
  private base = '';

  constructor(private readonly client: { clientId: string; clientSecret?: string }) {}

  get issuer(): string {
    return `${this.base}/${this.tenantId}/v2.0`;
  }

  /**
   * A multi-tenant authority here (`…/common/v2.0` or `…/organizations/v2.0`): its discovery
   * names the templated issuer `…/{tenantid}/v2.0`, as Entra's does, and its tokens are issued by
   * each user's own tenant (`EntraUser.tid`).
   */
  multiTenantAuthority(segment: 'common' | 'organizations' = 'common'): string {
    return `${this.base}/${segment}/v2.0`;
  }

  /** The admin API body (POST/PUT /v1/sso/azuread) of a provider that signs in here. */
  providerBody(
    scheme: string,
    redirectUris: string[],
    properties: Record<string, unknown> = {},
  ): Record<string, unknown> {
    const body = seedProviderBody(scheme, {
      autoProvisioningEnabled: false,
      clientId: this.client.clientId,
      clientSecret: this.client.clientSecret,
      authority: this.issuer,
      redirectUris,
      ...properties,
    });
    return { ...body, displayName: scheme };
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.base = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => this.server?.close(() => r()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url!, this.base);
    const segment = url.pathname.split('/')[1] ?? '';
    const multiTenant = MULTI_TENANT_SEGMENTS.includes(segment);
    const t = multiTenant ? `/${segment}` : `/${this.tenantId}`;
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === `${t}/v2.0/.well-known/openid-configuration`) {
      this.discoveryRequests++;
      if (this.faults.discoveryStatus) {
        return json(this.faults.discoveryStatus, {
          error: 'server_error',
          error_description: DISCOVERY_ERROR_BODY,
        });
      }
      return json(200, {
        issuer: this.faults.discoveryIssuer ?? (multiTenant ? `${this.base}/{tenantid}/v2.0` : this.issuer),
        authorization_endpoint: this.faults.authorizationEndpoint ?? `${this.base}${t}/oauth2/v2.0/authorize`,
        token_endpoint: `${this.base}${t}/oauth2/v2.0/token`,
        jwks_uri: `${this.base}${t}/discovery/v2.0/keys`,
        response_types_supported: ['code', 'id_token', 'code id_token'],
        subject_types_supported: ['pairwise'],
        id_token_signing_alg_values_supported: ['RS256'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
      });
    }
    if (url.pathname === `${t}/discovery/v2.0/keys`) {
      return json(200, {
        keys: [{ ...this.key.publicKey.export({ format: 'jwk' }), kid: this.kid, use: 'sig', alg: 'RS256' }],
      });
    }
    if (url.pathname === `${t}/oauth2/v2.0/authorize`) {
      const q = url.searchParams;
      if (q.get('client_id') !== this.client.clientId) return json(400, { error: 'unauthorized_client' });
      const code = randomBytes(24).toString('base64url');
      this.codes.set(code, {
        clientId: q.get('client_id')!,
        redirectUri: q.get('redirect_uri')!,
        nonce: q.get('nonce') ?? undefined,
        codeChallenge: q.get('code_challenge') ?? undefined,
        user: this.user,
        used: false,
      });
      const back = new URL(q.get('redirect_uri')!);
      back.searchParams.set('code', code);
      back.searchParams.set('state', q.get('state') ?? '');
      if (this.faults.iss) back.searchParams.set('iss', this.faults.iss);
      res.writeHead(302, { location: back.toString() });
      return void res.end();
    }
    if (url.pathname === `${t}/oauth2/v2.0/token` && req.method === 'POST') {
      const form = new URLSearchParams(await body(req));
      const pending = this.codes.get(form.get('code') ?? '');
      if (!pending || pending.used)
        return json(400, { error: 'invalid_grant', error_description: 'code unknown or already redeemed' });
      pending.used = true;
      if (form.get('client_id') !== pending.clientId) return json(401, { error: 'invalid_client' });
      if (this.client.clientSecret && form.get('client_secret') !== this.client.clientSecret)
        return json(401, { error: 'invalid_client' });
      if (form.get('redirect_uri') !== pending.redirectUri)
        return json(400, { error: 'invalid_grant', error_description: 'redirect_uri mismatch' });
      if (pending.codeChallenge) {
        const verifier = form.get('code_verifier') ?? '';
        if (createHash('sha256').update(verifier).digest('base64url') !== pending.codeChallenge) {
          return json(400, { error: 'invalid_grant', error_description: 'PKCE verification failed' });
        }
      }
      return json(200, {
        token_type: 'Bearer',
        access_token: randomBytes(16).toString('hex'),
        expires_in: 3600,
        id_token: this.idToken(pending),
      });
    }
    json(404, { error: 'not_found' });
  }

  private idToken(pending: PendingCode): string {
    const now = Math.floor(Date.now() / 1000);
    const { user } = pending;
    const tid = user.tid ?? this.tenantId;
    return jwt.sign(
      {
        ver: '2.0',
        tid: this.faults.tid === null ? undefined : (this.faults.tid ?? tid),
        oid: user.oid,
        preferred_username: user.preferred_username,
        email: user.email,
        name: user.name,
        nonce: this.faults.nonce ?? pending.nonce,
        iat: now - (this.faults.expired ? 7200 : 0),
        exp: now + (this.faults.expired ? -3600 : 3600),
      },
      this.faults.signWithForeignKey ? this.foreignKey : this.key.privateKey,
      {
        algorithm: 'RS256',
        keyid: this.kid,
        issuer: `${this.base}/${this.faults.issuerTenantId ?? tid}/v2.0`,
        audience: this.faults.audience ?? pending.clientId,
        subject: `pairwise-${user.oid}`,
      },
    );
  }
}

/**
 * A browser on one site: keeps the cookies its responses set (Max-Age=0 removes one) and sends
 * them back, and follows no redirects, so a test sees each hop. A new Browser is another person's.
 */
export class Browser {
  readonly cookies = new Map<string, string>();

  async fetch(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const res = await fetch(url, {
      redirect: 'manual',
      ...init,
      headers: { ...(init.headers as Record<string, string>), ...(cookie ? { cookie } : {}) },
    });
    for (const header of res.headers.getSetCookie()) {
      const [pair, ...attributes] = header.split(';');
      const at = pair!.indexOf('=');
      const name = pair!.slice(0, at).trim();
      if (attributes.some((a) => /^\s*max-age=0\s*$/i.test(a))) this.cookies.delete(name);
      else this.cookies.set(name, pair!.slice(at + 1).trim());
    }
    return res;
  }
}

/** A PKCE pair as a mobile or desktop app makes one (RFC 7636, S256): it keeps the verifier. */
export function appPkce(): { verifier: string; challenge: string; query: Record<string, string> } {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  return { verifier, challenge, query: { code_challenge: challenge, code_challenge_method: 'S256' } };
}

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    req.on('data', (chunk) => (text += chunk));
    req.on('end', () => resolve(text));
  });
}
