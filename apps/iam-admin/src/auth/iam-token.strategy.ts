import { ForbiddenException, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { InjectDataSource } from '@nestjs/typeorm';
import jwt from 'jsonwebtoken';
import { Strategy } from 'passport-http-bearer';
import { DataSource } from 'typeorm';
import { subjectPolicyFacts } from '../provisioning-policy/subject-policy-facts';
import { IamTokensService } from '../sso-login/iam-tokens.service';
import { SubjectsRepository } from '../subjects/subjects.repository';
import { adminPrincipal, AdminPermission, AdminPrincipal } from './admin-principal';

/** The app role of a tenant's organization owners (seed 003): the one role the admin API admits. */
export const ADMIN_API_ROLE = 'EnterpriseAdmin';

/**
 * IAM's own access tokens (from a sign-in with the tenant's Entra ID, or a built-in password): a
 * subject whose roles include EnterpriseAdmin administers its own tenant (iam:admin, bound to the
 * token's tenant, never platform permissions); other roles get a 403 saying so. The token is
 * verified by IamTokensService (signature, issuer, audience, expiry, logout, session standing), and
 * the role is read from the subject as it is now, not from the token: an owner demoted a minute
 * ago is refused at once. A bearer that is not an IAM token (another issuer, not a JWT) is left to
 * the other strategies.
 */
@Injectable()
export class IamTokenStrategy extends PassportStrategy(Strategy, 'iam-token') {
  constructor(
    private readonly tokens: IamTokensService,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly subjects: SubjectsRepository,
  ) {
    super();
  }

  async validate(token: string): Promise<AdminPrincipal | false> {
    const unverified = jwt.decode(token, { json: true });
    if (unverified?.iss !== this.tokens.issuer()) return false;
    // An IAM token from here on: its refusals (expired, logged out, session ended) are the answer.
    const claims = await this.tokens.verify(token);
    const subject = await this.subjects.find(this.dataSource, claims.tid, claims.sub);
    const roles = subject ? subjectPolicyFacts(subject).roles : [];
    if (!roles.includes(ADMIN_API_ROLE)) {
      throw new ForbiddenException(
        `the admin API admits a signed-in user only with the ${ADMIN_API_ROLE} role (the tenant's organization owners); this user's roles: ${roles.join(', ') || 'none'}`,
      );
    }
    return adminPrincipal({
      tenantId: claims.tid,
      permissions: [AdminPermission.IamAdmin],
      subject: `iam-token:${claims.sub}`,
      via: 'iam-token',
      // Admin tokens minted in a sign-in session end with it: no lasting credential from a short session.
      expiresAt: new Date(claims.exp * 1000),
    });
  }
}
