import { ConflictException, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { SubjectEventType } from '@app/contracts';
import { Db } from '@app/database';
import { digestBearerSecret, generateBearerSecret } from '@app/platform';
import { iamPublicUrl, IamAdminConfig } from '../config/iam-admin.config';
import { subjectStateOf, SubjectEventsOutbox } from '../events/subject-events.outbox';
import { SubjectRow } from '../subjects/subjects.repository';
import { LoginMethod, LoginSettings, SubjectCredentialsRepository } from './subject-credentials.repository';

/** Invitation tokens are bearer secrets: recognisable prefix, 256 random bits, stored as SHA-256 only. */
export const INVITATION_PREFIX = 'iaminv_';

/** A one-time invitation, shown once. */
export interface Invitation {
  token: string;
  expiresAt: Date;
  url: string;
}

/** What operators see of a subject's sign-in. */
export interface LoginView {
  loginMethod: LoginMethod;
  passwordSet: boolean;
  invitationExpiresAt: Date | null;
  lockedUntil: Date | null;
}

/**
 * Provisioning (SCIM) owns the account of a subject it created or last updated: Entra decides its
 * e-mail and password (seed 003), so it signs in with Entra and never has a built-in password.
 */
export const scimManaged = (subject: SubjectRow): boolean => subject.managedBy === 'scim';

/**
 * The login method of a subject: `entra` when SCIM manages it; else the operator's choice; else
 * `entra` when the tenant has a login-enabled Entra ID provider, `built-in` when it has none.
 */
export function loginMethodOf(
  subject: SubjectRow,
  chosen: LoginMethod | null | undefined,
  tenantSignsInWithEntra: boolean,
): LoginMethod {
  if (scimManaged(subject)) return 'entra';
  return chosen ?? (tenantSignsInWithEntra ? 'entra' : 'built-in');
}

const methodOf = (subject: SubjectRow, settings: LoginSettings): LoginMethod =>
  loginMethodOf(subject, settings.credentials?.loginMethod, settings.tenantSignsInWithEntra);

/** Per-subject login method (seed 004's "Toggle User Authentication Method") and built-in invitations. */
@Injectable()
export class LoginMethodsService {
  constructor(
    private readonly credentials: SubjectCredentialsRepository,
    private readonly events: SubjectEventsOutbox,
    private readonly config: IamAdminConfig,
  ) {}

  async loginMethod(db: Db, subject: SubjectRow): Promise<LoginMethod> {
    return methodOf(subject, await this.credentials.settings(db, subject.tenantId, subject.id));
  }

  /** The login methods of a page of subjects of one tenant, by subject id (two statements whatever the page). */
  async loginMethods(db: Db, tenantId: string, subjects: SubjectRow[]): Promise<Map<string, LoginMethod>> {
    if (subjects.length === 0) return new Map();
    const { chosen, tenantSignsInWithEntra } = await this.credentials.chosenLoginMethods(
      db,
      tenantId,
      subjects.map((s) => s.id),
    );
    return new Map(
      subjects.map((s) => [s.id, loginMethodOf(s, chosen.get(s.id), tenantSignsInWithEntra)] as const),
    );
  }

  async view(db: Db, subject: SubjectRow): Promise<LoginView> {
    const settings = await this.credentials.settings(db, subject.tenantId, subject.id);
    const stored = settings.credentials;
    return {
      loginMethod: methodOf(subject, settings),
      passwordSet: Boolean(stored?.passwordHash),
      invitationExpiresAt: stored?.invitationExpiresAt ?? null,
      lockedUntil:
        stored?.lockedUntil && new Date(stored.lockedUntil) > new Date() ? stored.lockedUntil : null,
    };
  }

  /**
   * Records the operator's choice. A change is a subject.updated event (changedAttributes
   * `loginMethod`); a choice equal to the current method is stored (so a later tenant default does
   * not change it) without an event.
   */
  async choose(em: EntityManager, subject: SubjectRow, method: LoginMethod): Promise<boolean> {
    const before = await this.loginMethod(em, subject);
    await this.pin(em, subject, method);
    if (before === method) return false;
    const facts = subjectStateOf(subject);
    await this.events.record(em, 'admin', [
      {
        type: SubjectEventType.SubjectUpdated,
        tenantId: subject.tenantId,
        subjectId: subject.id,
        changedAttributes: ['loginMethod'],
        ...facts,
        state: { ...facts.state, loginMethod: method },
      },
    ]);
    return true;
  }

  /**
   * Stores the method without an event: for a subject being created, whose subject.created event
   * carries it (CommandContext.loginMethod), or whose method is the default it already had.
   */
  async pin(db: Db, subject: SubjectRow, method: LoginMethod): Promise<void> {
    if (method === 'built-in' && scimManaged(subject)) {
      throw new ConflictException(
        'loginMethod: this user is managed by Entra ID (SCIM) and cannot have a built-in password; it signs in with Entra',
      );
    }
    await this.credentials.setLoginMethod(db, subject.tenantId, subject.id, method);
  }

  /** A new one-time invitation to set a built-in password (any earlier one stops working). */
  async invite(db: Db, subject: SubjectRow): Promise<Invitation> {
    if ((await this.loginMethod(db, subject)) !== 'built-in') {
      throw new ConflictException(
        scimManaged(subject)
          ? 'this user is managed by Entra ID (SCIM) and cannot have a built-in password'
          : 'this user signs in with Entra ID: set loginMethod to built-in first',
      );
    }
    const token = generateBearerSecret(INVITATION_PREFIX);
    const expiresAt = new Date(Date.now() + this.config.IAM_INVITATION_TTL_HOURS * 3_600_000);
    await this.credentials.setInvitation(db, subject.tenantId, subject.id, {
      digest: digestBearerSecret(token),
      expiresAt,
    });
    // In the fragment: browsers never send it, so it stays out of server and proxy logs.
    const base = iamPublicUrl(this.config);
    return {
      token,
      expiresAt,
      url: `${base}/v1/login/${subject.tenantId}/password/invitation#token=${token}`,
    };
  }
}
