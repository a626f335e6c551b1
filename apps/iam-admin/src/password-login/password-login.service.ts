import {
  BadRequestException,
  ForbiddenException,
  HttpException,
  HttpStatus,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { digestBearerSecret } from '@app/platform';
import { IamAdminConfig } from '../config/iam-admin.config';
import { BUILT_IN_IDP, IamTokensService } from '../sso-login/iam-tokens.service';
import { LoginResult, signInResult } from '../sso-login/sso-login.service';
import { SubjectsRepository } from '../subjects/subjects.repository';
import { EnabledTenants } from '../tenants/enabled-tenants';
import { lockAfterFailures, secondsLocked } from './lockout';
import { LoginMethodsService } from './login-methods.service';
import { PasswordHasher } from './password-hasher';
import { SubjectCredentialsRepository } from './subject-credentials.repository';

/** One answer for an unknown user, a user without a password and a wrong password: no user enumeration. */
const WRONG_CREDENTIALS = 'userName or password is incorrect';

/** A locked account: 429 with Retry-After. */
export class AccountLockedException extends HttpException {
  constructor(readonly retryAfterSeconds: number) {
    super(
      {
        statusCode: HttpStatus.TOO_MANY_REQUESTS,
        error: 'Too Many Requests',
        message: `too many failed sign-ins for this account; retry after ${retryAfterSeconds} s`,
      },
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}

/**
 * The platform's built-in authentication (seed 004, for temporary or external users not in Entra):
 * a user an operator created with loginMethod `built-in` sets a password with a one-time invitation
 * and signs in with it for the same IAM access token as an Entra sign-in. Failures in a row lock the
 * account with back-off (lockout.ts). Every refusal that does not need the right password is
 * answered after the same argon2 work, so response times do not tell which userNames exist.
 */
@Injectable()
export class PasswordLoginService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tenants: EnabledTenants,
    private readonly subjects: SubjectsRepository,
    private readonly credentials: SubjectCredentialsRepository,
    private readonly loginMethods: LoginMethodsService,
    private readonly hasher: PasswordHasher,
    private readonly tokens: IamTokensService,
    private readonly config: IamAdminConfig,
  ) {}

  async signIn(tenantId: string, userName: string, password: string): Promise<LoginResult> {
    await this.tenants.require(tenantId);
    const db = this.dataSource.manager;
    const subject = await this.subjects.findByUserName(db, tenantId, userName);
    if (!subject) return this.refuse(password, new UnauthorizedException(WRONG_CREDENTIALS));
    const settings = await this.credentials.settings(db, tenantId, subject.id);
    if ((await this.loginMethods.loginMethod(db, subject)) !== 'built-in') {
      return this.refuse(password, new ForbiddenException('this user signs in with Entra ID'));
    }
    const now = new Date();
    const locked = secondsLocked(settings.credentials?.lockedUntil, now);
    if (locked > 0) return this.refuse(password, new AccountLockedException(locked));
    if (!(await this.hasher.verify(settings.credentials?.passwordHash, password))) {
      const failures = await this.credentials.recordFailure(db, tenantId, subject.id);
      const until = lockAfterFailures(failures, this.config.IAM_PASSWORD_MAX_FAILURES, now);
      if (until) await this.credentials.lockUntil(db, tenantId, subject.id, until);
      throw new UnauthorizedException(WRONG_CREDENTIALS);
    }
    // Only now, to the one who knows the password: the account is switched off.
    if (!subject.active) throw new ForbiddenException('this account is deactivated; ask your administrator');
    await this.credentials.recordSuccess(db, tenantId, subject.id);
    return signInResult(this.tokens, subject, BUILT_IN_IDP, false);
  }

  /** Sets the password of the invitation's user; the invitation is used up. */
  async acceptInvitation(tenantId: string, token: string, password: string): Promise<void> {
    await this.tenants.require(tenantId);
    const digest = digestBearerSecret(token);
    const invalid = () =>
      new BadRequestException('token: the invitation is unknown, expired or already used');
    const subjectId = await this.credentials.invitedSubject(this.dataSource, tenantId, digest);
    const subject = subjectId && (await this.subjects.findLive(this.dataSource, tenantId, subjectId));
    if (!subject) throw invalid();
    if ((await this.loginMethods.loginMethod(this.dataSource, subject)) !== 'built-in') {
      throw new ForbiddenException('this user signs in with Entra ID and has no built-in password');
    }
    const hash = await this.hasher.hash(password);
    if (!(await this.credentials.acceptInvitation(this.dataSource, tenantId, digest, hash))) throw invalid();
  }

  /** A refusal after the work of a password check, so it takes as long as a wrong password. */
  private async refuse(password: string, refusal: HttpException): Promise<never> {
    await this.hasher.verify(undefined, password);
    throw refusal;
  }
}
