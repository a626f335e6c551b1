import { Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import Redis from 'ioredis';
import jwt from 'jsonwebtoken';
import { createPublicKey, randomUUID } from 'node:crypto';
import { REDIS_CLIENT } from '@app/platform';
import { IamAdminConfig } from '../config/iam-admin.config';
import { SigningKeysService } from './signing-keys.service';

export interface IamTokenClaims {
  sub: string;
  tid: string;
  roles: string[];
  idp: string;
  jti: string;
  exp: number;
  iat: number;
  iss: string;
}

/** IAM's own access tokens after an SSO login: RS256 JWTs that internal services verify with the JWKS. */
@Injectable()
export class IamTokensService {
  constructor(
    private readonly keys: SigningKeysService,
    private readonly config: IamAdminConfig,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
  ) {}

  issue(subject: { id: string; tenantId: string; roles: string[]; provider: string }): {
    accessToken: string;
    expiresIn: number;
  } {
    const { kid, privateKey } = this.keys.signingKey();
    const expiresIn = this.config.IAM_TOKEN_TTL_SECONDS;
    const accessToken = jwt.sign(
      { tid: subject.tenantId, roles: subject.roles, idp: subject.provider },
      privateKey,
      {
        algorithm: 'RS256',
        keyid: kid,
        subject: subject.id,
        issuer: this.issuer(),
        expiresIn,
        jwtid: randomUUID(),
      },
    );
    return { accessToken, expiresIn };
  }

  /** Verifies signature, issuer and expiry, and that the session was not logged out. */
  async verify(token: string): Promise<IamTokenClaims> {
    let claims: IamTokenClaims;
    try {
      const { kid } = (jwt.decode(token, { complete: true })?.header ?? {}) as { kid?: string };
      const jwk = this.keys.publicJwks().keys.find((k) => (k as { kid?: string }).kid === kid);
      if (!jwk) throw new Error('unknown key');
      claims = jwt.verify(token, createPublicKey({ key: jwk, format: 'jwk' }), {
        algorithms: ['RS256'],
        issuer: this.issuer(),
      }) as IamTokenClaims;
    } catch {
      throw new UnauthorizedException('the access token is invalid or expired');
    }
    if (await this.redis.exists(this.revokedKey(claims.jti)))
      throw new UnauthorizedException('the session was logged out');
    return claims;
  }

  /** Logout: the token is refused from now until it would have expired anyway. */
  async revoke(claims: IamTokenClaims): Promise<void> {
    const ttl = Math.max(1, claims.exp - Math.floor(Date.now() / 1000));
    await this.redis.set(this.revokedKey(claims.jti), '1', 'EX', ttl);
  }

  issuer(): string {
    return this.config.IAM_PUBLIC_URL ?? `http://127.0.0.1:${this.config.IAM_PORT}`;
  }

  private revokedKey(jti: string): string {
    return `${this.config.QUEUE_PREFIX}:revoked-session:${jti}`;
  }
}
