import { Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import Redis from 'ioredis';
import jwt from 'jsonwebtoken';
import { createPublicKey, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { SubjectEventType } from '@app/contracts';
import { REDIS_CLIENT } from '@app/platform';
import { iamPublicUrl, IamAdminConfig } from '../config/iam-admin.config';
import { SubjectEventsOutbox, subjectStateOf } from '../events/subject-events.outbox';
import { LoginMethodsService } from '../password-login/login-methods.service';
import { SubjectAccess, subjectPolicyFacts } from '../provisioning-policy/subject-policy-facts';
import { SubjectRow, SubjectsRepository } from '../subjects/subjects.repository';
import { SigningKeysService } from './signing-keys.service';

/** The `idp` of a built-in password sign-in: a colon, so no provider scheme (a slug) can be it. */
export const BUILT_IN_IDP = 'iam:built-in';

export interface IamTokenClaims {
  sub: string;
  tid: string;
  /** Canonical app roles (ReadOnly, User, Admin, EnterpriseAdmin) when the token was minted. */
  roles: string[];
  /** The app always; the web portal with any role. */
  access: SubjectAccess;
  /** Premium or Standard; null when the subject has none. */
  user_type: string | null;
  idp: string;
  jti: string;
  exp: number;
  iat: number;
  iss: string;
  aud: string;
}

/**
 * IAM's own access tokens after an SSO login: short-lived RS256 JWTs with an audience, which
 * internal services verify with the JWKS. IAM itself (GET /v1/session) also refuses a token whose
 * session was logged out, whose subject was deactivated or deprovisioned, or whose tenant or
 * provider was disabled: a session lasts only while a new sign-in would succeed.
 */
@Injectable()
export class IamTokensService {
  constructor(
    private readonly keys: SigningKeysService,
    private readonly config: IamAdminConfig,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly subjects: SubjectsRepository,
    private readonly events: SubjectEventsOutbox,
    private readonly loginMethods: LoginMethodsService,
  ) {}

  /**
   * A token for the subject as it is now (the row the sign-in just read): its roles, access and
   * userType are claims, so services need no lookup; a change shows in the next token.
   */
  issue(
    subject: Pick<SubjectRow, 'id' | 'tenantId' | 'document' | 'folders' | 'managedBy'>,
    idp: string,
  ): {
    accessToken: string;
    expiresIn: number;
  } {
    const { kid, privateKey } = this.keys.signingKey();
    const expiresIn = this.config.IAM_TOKEN_TTL_SECONDS;
    const { roles, access, userType } = subjectPolicyFacts(subject);
    const accessToken = jwt.sign(
      { tid: subject.tenantId, roles, access, user_type: userType, idp },
      privateKey,
      {
        algorithm: 'RS256',
        keyid: kid,
        subject: subject.id,
        issuer: this.issuer(),
        audience: this.config.IAM_TOKEN_AUDIENCE,
        expiresIn,
        jwtid: randomUUID(),
      },
    );
    return { accessToken, expiresIn };
  }

  /** Verifies signature, issuer, audience and expiry, that the session was not logged out, and that it may go on. */
  async verify(token: string): Promise<IamTokenClaims> {
    let claims: IamTokenClaims;
    try {
      const { kid } = (jwt.decode(token, { complete: true })?.header ?? {}) as { kid?: string };
      const jwk = this.keys.publicJwks().keys.find((k) => (k as { kid?: string }).kid === kid);
      if (!jwk) throw new Error('unknown key');
      claims = jwt.verify(token, createPublicKey({ key: jwk, format: 'jwk' }), {
        algorithms: ['RS256'],
        issuer: this.issuer(),
        audience: this.config.IAM_TOKEN_AUDIENCE,
      }) as IamTokenClaims;
    } catch {
      throw new UnauthorizedException('the access token is invalid or expired');
    }
    if (await this.redis.exists(this.revokedKey(claims.jti)))
      throw new UnauthorizedException('the session was logged out');
    await this.requireLiveSession(claims);
    return claims;
  }

  /**
   * Logout: the token is refused from now until it would have expired anyway, here and (through a
   * subject.session-revoked event) by services that verify tokens themselves.
   */
  async revoke(claims: IamTokenClaims): Promise<void> {
    const ttl = Math.max(1, claims.exp - Math.floor(Date.now() / 1000));
    await this.redis.set(this.revokedKey(claims.jti), '1', 'EX', ttl);
    await this.dataSource.transaction(async (em) => {
      const subject = await this.subjects.find(em, claims.tid, claims.sub);
      if (!subject) return;
      await this.events.record(em, 'sso-login', [
        {
          type: SubjectEventType.SubjectSessionRevoked,
          tenantId: claims.tid,
          subjectId: claims.sub,
          sessionId: claims.jti,
          ...subjectStateOf(subject),
        },
      ]);
    });
  }

  /** The session goes on only while its subject, tenant and provider would still let it sign in. */
  private async requireLiveSession(claims: IamTokenClaims): Promise<void> {
    const row = await this.subjects.sessionStanding(this.dataSource, claims.tid, claims.sub, claims.idp);
    const ended = (reason: string) => new UnauthorizedException(`the session has ended: ${reason}`);
    if (!row) throw ended('the account no longer exists');
    const reasons: Array<[boolean, string]> = [
      [row.deleted, 'the account was deprovisioned'],
      [!row.active, 'the account is deactivated'],
      [!row.tenantEnabled, 'the tenant is disabled'],
      claims.idp === BUILT_IN_IDP
        ? [
            !(await this.signsInWithPassword(claims)),
            'the account no longer signs in with a built-in password',
          ]
        : [!row.providerEnabled, 'sign-in through its identity provider is disabled'],
    ];
    const reason = reasons.find(([applies]) => applies)?.[1];
    if (reason) throw ended(reason);
  }

  private async signsInWithPassword(claims: IamTokenClaims): Promise<boolean> {
    const subject = await this.subjects.find(this.dataSource, claims.tid, claims.sub);
    return (
      subject !== undefined && (await this.loginMethods.loginMethod(this.dataSource, subject)) === 'built-in'
    );
  }

  issuer(): string {
    return iamPublicUrl(this.config);
  }

  private revokedKey(jti: string): string {
    return `${this.config.QUEUE_PREFIX}:revoked-session:${jti}`;
  }
}
