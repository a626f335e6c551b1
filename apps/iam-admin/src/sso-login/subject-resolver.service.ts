import {
  ConflictException,
  ForbiddenException,
  Injectable,
  Logger,
  UnauthorizedException,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { ProvisioningCommandName, SubjectEventType } from '@app/contracts';
import { isUniqueViolation } from '@app/database';
import { ScimError, USER_SCHEMA } from '@app/scim';
import { SubjectEventsOutbox, subjectStateOf } from '../events/subject-events.outbox';
import { IdentityProviderRow } from '../identity-providers/identity-providers.repository';
import { LoginMethodsService } from '../password-login/login-methods.service';
import { commandContext } from '../provisioning/command-context';
import { UserCommandsHandler } from '../provisioning/user-commands.handler';
import { SubjectRow, SubjectsRepository } from '../subjects/subjects.repository';

/** A sign-in that lost a race to a concurrent one of the same person starts over this often in all. */
const RESOLVE_ATTEMPTS = 2;

/** The claims of a validated Entra ID token that identify a person. */
export interface EntraClaims {
  oid?: string;
  tid?: string;
  preferred_username?: string;
  email?: string;
  name?: string;
}

/**
 * Finds the subject a sign-in is for. The Entra object id (`oid`, immutable, unique in the Entra
 * tenant) decides: a subject bound to it (by an earlier sign-in, or by SCIM's externalId) is the
 * one. Only a subject bound to no object id yet may be found by userName (= preferred_username,
 * case-insensitively), and that binds it, recorded as a subject.identity-bound event; a subject
 * bound to another object id is refused, so a new Entra account that was given a former user's
 * name never signs in as them. The unverified `email` claim is never used to find anyone.
 * Deactivated and deprovisioned subjects are refused, and so are those who sign in with the
 * built-in password; unknown ones are created just in time only when the provider allows it, by
 * the same command handler (and tenant policy) as SCIM.
 */
@Injectable()
export class SubjectResolverService {
  private readonly logger = new Logger(SubjectResolverService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly subjects: SubjectsRepository,
    private readonly events: SubjectEventsOutbox,
    private readonly users: UserCommandsHandler,
    private readonly loginMethods: LoginMethodsService,
  ) {}

  /**
   * Two sign-ins of one person can race: both find no subject, and both create it just in time,
   * or one binds the object id that the other's new subject is also getting. The unique indexes
   * (userName, entra_oid) refuse the second write; this sign-in then starts over once and finds
   * what the other committed. Should that lose a race again, it is a 409, never a 500.
   */
  async resolve(
    tenantId: string,
    provider: IdentityProviderRow,
    claims: EntraClaims,
  ): Promise<{ subject: SubjectRow; created: boolean }> {
    const oid = typeof claims.oid === 'string' && claims.oid !== '' ? claims.oid.toLowerCase() : undefined;
    if (!oid) throw new UnauthorizedException('the ID token carries no oid (Entra object id)');
    const userName = typeof claims.preferred_username === 'string' ? claims.preferred_username : undefined;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.resolveOnce(tenantId, provider, claims, oid, userName);
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        if (attempt === RESOLVE_ATTEMPTS) {
          throw new ConflictException('a concurrent sign-in changed this account; sign in again');
        }
      }
    }
  }

  private resolveOnce(
    tenantId: string,
    provider: IdentityProviderRow,
    claims: EntraClaims,
    oid: string,
    userName: string | undefined,
  ): Promise<{ subject: SubjectRow; created: boolean }> {
    return this.dataSource.transaction(async (em) => {
      const bound = await this.subjects.findBoundToOid(em, tenantId, oid);
      if (bound) {
        // Bound by SCIM's externalId until now: the sign-in makes it the subject's own.
        if (!bound.entraOid) await this.bind(em, bound, provider, oid, 'externalId');
        return { subject: await this.usable(em, bound), created: false };
      }
      const named = userName ? await this.subjects.findByUserName(em, tenantId, userName) : undefined;
      if (named) {
        // (Bound to this oid only when a concurrent sign-in bound it while this one waited for the lock.)
        if (named.boundOid !== null && named.boundOid !== oid) {
          throw new ForbiddenException(
            'this account is linked to another Entra identity (object id); ask your administrator',
          );
        }
        if (!named.entraOid) await this.bind(em, named, provider, oid, 'userName');
        return { subject: await this.usable(em, named), created: false };
      }
      // Deprovisioned: this oid's subject, or one of this name that no oid tells apart from this person.
      const gone = await this.subjects.findDeprovisioned(em, tenantId, oid, userName);
      if (gone) throw new ForbiddenException('this account was deprovisioned; ask your administrator');
      if (!provider.autoProvisioningEnabled) {
        throw new ForbiddenException(
          'this account is not provisioned here (and just-in-time provisioning is off)',
        );
      }
      if (!userName) {
        throw new UnauthorizedException('the ID token carries no preferred_username to provision it by');
      }
      return {
        subject: await this.createJustInTime(em, tenantId, provider, claims, oid, userName),
        created: true,
      };
    });
  }

  /** Records that this subject is the person with this Entra object id from now on (audit: event and log). */
  private async bind(
    em: EntityManager,
    subject: SubjectRow,
    provider: IdentityProviderRow,
    oid: string,
    matchedBy: 'externalId' | 'userName',
  ): Promise<void> {
    await this.subjects.recordEntraOid(em, subject, oid);
    await this.events.record(em, 'sso-login', [
      {
        type: SubjectEventType.SubjectIdentityBound,
        tenantId: subject.tenantId,
        subjectId: subject.id,
        identity: { provider: provider.scheme, oid, matchedBy },
        ...subjectStateOf(subject),
      },
    ]);
    // Ids only: no userName or e-mail in the log.
    this.logger.log(
      {
        event: SubjectEventType.SubjectIdentityBound,
        tenantId: subject.tenantId,
        subjectId: subject.id,
        provider: provider.scheme,
        oid,
        matchedBy,
      },
      'sign-in bound a subject to an Entra object id',
    );
  }

  private async createJustInTime(
    em: EntityManager,
    tenantId: string,
    provider: IdentityProviderRow,
    claims: EntraClaims,
    oid: string,
    userName: string,
  ): Promise<SubjectRow> {
    const document = {
      schemas: [USER_SCHEMA],
      userName,
      externalId: oid,
      displayName: claims.name,
      active: true,
      ...(claims.email ? { emails: [{ type: 'work', primary: true, value: claims.email }] } : {}),
    };
    let created: { id: string };
    try {
      created = await this.users.create(
        em,
        { name: ProvisioningCommandName.CreateUser, tenantId, provider: provider.scheme, document },
        commandContext('sso-jit'),
      );
    } catch (error) {
      // The tenant's provisioning policy refused this person (e.g. no user type and no default).
      if (error instanceof ScimError) {
        throw new ForbiddenException(`just-in-time provisioning refused this account: ${error.detail}`);
      }
      throw error;
    }
    const subject = (await this.subjects.findLive(em, tenantId, created.id))!;
    await this.subjects.recordEntraOid(em, subject, oid);
    return subject;
  }

  /** The subject, if it may sign in here: active, and not one who signs in with the built-in password. */
  private async usable(em: EntityManager, subject: SubjectRow): Promise<SubjectRow> {
    if (!subject.active) throw new ForbiddenException('this account is deactivated; ask your administrator');
    if ((await this.loginMethods.loginMethod(em, subject)) === 'built-in') {
      throw new ForbiddenException("this user signs in with the platform's built-in authentication");
    }
    return subject;
  }
}
