import { ForbiddenException, Injectable, Logger, UnauthorizedException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { SubjectEventType } from '@app/contracts';
import { IdentityProviderEntity, SubjectEntity } from '@app/database';
import { normalizeUserDocument, USER_SCHEMA } from '@app/scim';
import { SubjectEventsOutbox } from '../events/subject-events.outbox';
import { stateOf } from '../provisioning/snapshot';
import { SubjectsRepository } from '../provisioning/subjects.repository';

/** The claims of a validated Entra ID token that identify a person. */
export interface EntraClaims {
  oid?: string;
  tid?: string;
  preferred_username?: string;
  email?: string;
  name?: string;
}

/**
 * The Entra object id a subject is bound to, in lowercase (a GUID's case means nothing): the one an
 * earlier sign-in recorded (entra_oid, always written in lowercase), or until then its SCIM
 * externalId when that is a GUID, as Entra fills it with the object id.
 */
const BOUND_OID = `lower(COALESCE(entra_oid,
  CASE WHEN external_id ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN external_id END))`;

/**
 * The same as `BOUND_OID = $2` for a lowercase $2, written so that indexes serve it: the unique
 * (tenant_id, lower(entra_oid)) one and (tenant_id, lower(external_id)) of subjects not bound yet.
 */
const BOUND_TO_OID = `(lower(entra_oid) = $2 OR (entra_oid IS NULL AND lower(external_id) = $2))`;

const COLUMNS = `id, tenant_id AS "tenantId", user_name AS "userName", external_id AS "externalId",
  display_name AS "displayName", active, document, provider, source, version, entra_oid AS "entraOid",
  created_at AS "createdAt", updated_at AS "updatedAt", deleted_at AS "deletedAt", ${BOUND_OID} AS "boundOid"`;

type SubjectRow = SubjectEntity & { boundOid: string | null };

/**
 * Finds the subject a sign-in is for. The Entra object id (`oid`, immutable, unique in the Entra
 * tenant) decides: a subject bound to it (by an earlier sign-in, or by SCIM's externalId) is the
 * one. Only a subject bound to no object id yet may be found by userName (= preferred_username,
 * case-insensitively), and that binds it, recorded as a subject.identity-bound event; a subject
 * bound to another object id is refused, so a new Entra account that was given a former user's
 * name never signs in as them. The unverified `email` claim is never used to find anyone.
 * Deactivated and deprovisioned subjects are refused; unknown ones are created just in time only
 * when the provider allows it.
 */
@Injectable()
export class SubjectResolverService {
  private readonly logger = new Logger(SubjectResolverService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly subjects: SubjectsRepository,
    private readonly events: SubjectEventsOutbox,
  ) {}

  resolve(
    tenantId: string,
    provider: IdentityProviderEntity,
    claims: EntraClaims,
  ): Promise<{ subject: SubjectEntity; created: boolean }> {
    const oid = typeof claims.oid === 'string' && claims.oid !== '' ? claims.oid.toLowerCase() : undefined;
    if (!oid) throw new UnauthorizedException('the ID token carries no oid (Entra object id)');
    const userName = typeof claims.preferred_username === 'string' ? claims.preferred_username : undefined;
    return this.dataSource.transaction(async (em) => {
      const bound = await this.findOne(em, tenantId, BOUND_TO_OID, [oid]);
      if (bound) {
        // Bound by SCIM's externalId until now: the sign-in makes it the subject's own.
        if (!bound.entraOid) await this.bind(em, bound, provider, oid, 'externalId');
        return { subject: usable(bound), created: false };
      }
      const named = userName
        ? await this.findOne(em, tenantId, `lower(user_name) = lower($2)`, [userName])
        : undefined;
      if (named) {
        // (Bound to this oid only when a concurrent sign-in bound it while this one waited for the lock.)
        if (named.boundOid !== null && named.boundOid !== oid) {
          throw new ForbiddenException(
            'this account is linked to another Entra identity (object id); ask your administrator',
          );
        }
        if (!named.entraOid) await this.bind(em, named, provider, oid, 'userName');
        return { subject: usable(named), created: false };
      }
      // Deprovisioned: this oid's subject, or one of this name that no oid tells apart from this person.
      const gone = await this.findOne(
        em,
        tenantId,
        `(${BOUND_TO_OID} OR (lower(user_name) = lower($3) AND ${BOUND_OID} IS NULL))`,
        [oid, userName ?? null],
        true,
      );
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

  /** One live (or, with `deleted`, deprovisioned) subject of the tenant, row-locked until commit. */
  private async findOne(
    em: EntityManager,
    tenantId: string,
    condition: string,
    params: unknown[],
    deleted = false,
  ): Promise<SubjectRow | undefined> {
    const rows: SubjectRow[] = await em.query(
      `SELECT ${COLUMNS} FROM subjects
        WHERE tenant_id = $1 AND deleted_at IS ${deleted ? 'NOT ' : ''}NULL AND ${condition}
        ORDER BY entra_oid IS NOT NULL DESC, updated_at DESC
        LIMIT 1
        FOR UPDATE`,
      [tenantId, ...params],
    );
    return rows[0];
  }

  /** Records that this subject is the person with this Entra object id from now on (audit: event and log). */
  private async bind(
    em: EntityManager,
    subject: SubjectEntity,
    provider: IdentityProviderEntity,
    oid: string,
    matchedBy: 'externalId' | 'userName',
  ): Promise<void> {
    await this.recordOid(em, subject, oid);
    await this.events.record(em, 'sso-login', [
      {
        type: SubjectEventType.SubjectIdentityBound,
        tenantId: subject.tenantId,
        subjectId: subject.id,
        identity: { provider: provider.scheme, oid, matchedBy },
        state: stateOf(subject),
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

  /** Writes the object id onto the subject: lowercase, as `resolve` made it (and a unique index wants it). */
  private async recordOid(em: EntityManager, subject: SubjectEntity, oid: string): Promise<void> {
    await em.query(`UPDATE subjects SET entra_oid = $2 WHERE id = $1`, [subject.id, oid]);
    subject.entraOid = oid;
  }

  private async createJustInTime(
    em: EntityManager,
    tenantId: string,
    provider: IdentityProviderEntity,
    claims: EntraClaims,
    oid: string,
    userName: string,
  ): Promise<SubjectEntity> {
    const document = normalizeUserDocument({
      schemas: [USER_SCHEMA],
      userName,
      externalId: oid,
      displayName: claims.name,
      active: true,
      emails: claims.email ? [{ type: 'work', primary: true, value: claims.email }] : undefined,
    });
    const subject = await this.subjects.insert(
      em,
      tenantId,
      {
        userName,
        externalId: oid,
        displayName: claims.name ?? null,
        active: true,
        document,
      },
      { provider: provider.scheme, source: 'sso-jit' },
    );
    await this.recordOid(em, subject, oid);
    await this.events.record(em, 'sso-jit', [
      {
        type: SubjectEventType.SubjectCreated,
        tenantId,
        subjectId: subject.id,
        state: stateOf(subject),
      },
    ]);
    return subject;
  }
}

/** The subject, if it may sign in. */
function usable(subject: SubjectEntity): SubjectEntity {
  if (!subject.active) throw new ForbiddenException('this account is deactivated; ask your administrator');
  return subject;
}
