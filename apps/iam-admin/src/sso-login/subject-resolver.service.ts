import { ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
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

const COLUMNS = `id, tenant_id AS "tenantId", user_name AS "userName", external_id AS "externalId",
  display_name AS "displayName", active, document, provider, source, version, entra_oid AS "entraOid",
  created_at AS "createdAt", updated_at AS "updatedAt", deleted_at AS "deletedAt"`;

/**
 * Finds the subject a sign-in is for: by the Entra object id (recorded at an earlier login, or sent
 * by SCIM as externalId), else by userName (preferred_username or email), case-insensitively.
 * Deactivated and deprovisioned subjects are refused; unknown ones are created just in time only
 * when the provider allows it.
 */
@Injectable()
export class SubjectResolverService {
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
    const oid = typeof claims.oid === 'string' ? claims.oid : undefined;
    const userName = claims.preferred_username ?? claims.email;
    if (!oid && !userName)
      throw new UnauthorizedException('the ID token names no user (no oid, preferred_username or email)');
    return this.dataSource.transaction(async (em) => {
      const match = await this.find(em, tenantId, oid, userName, false);
      if (match) {
        if (!match.active)
          throw new ForbiddenException('this account is deactivated; ask your administrator');
        if (oid && !match.entraOid)
          await em.query(`UPDATE subjects SET entra_oid = $2 WHERE id = $1`, [match.id, oid]);
        return { subject: match, created: false };
      }
      if (await this.find(em, tenantId, oid, userName, true)) {
        throw new ForbiddenException('this account was deprovisioned; ask your administrator');
      }
      if (!provider.autoProvisioningEnabled) {
        throw new ForbiddenException(
          'this account is not provisioned here (and just-in-time provisioning is off)',
        );
      }
      return {
        subject: await this.createJustInTime(em, tenantId, provider, claims, oid, userName!),
        created: true,
      };
    });
  }

  private async find(
    em: EntityManager,
    tenantId: string,
    oid: string | undefined,
    userName: string | undefined,
    deleted: boolean,
  ): Promise<SubjectEntity | undefined> {
    const rows: SubjectEntity[] = await em.query(
      `SELECT ${COLUMNS} FROM subjects
        WHERE tenant_id = $1 AND (deleted_at IS ${deleted ? 'NOT ' : ''}NULL)
          AND ((entra_oid = $2 OR external_id = $2) OR lower(user_name) = lower($3))
        ORDER BY (entra_oid = $2) IS TRUE DESC, (external_id = $2) IS TRUE DESC, updated_at DESC
        LIMIT 1`,
      [tenantId, oid ?? null, userName ?? null],
    );
    return rows[0];
  }

  private async createJustInTime(
    em: EntityManager,
    tenantId: string,
    provider: IdentityProviderEntity,
    claims: EntraClaims,
    oid: string | undefined,
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
        externalId: oid ?? null,
        displayName: claims.name ?? null,
        active: true,
        document,
      },
      { provider: provider.scheme, source: 'sso-jit' },
    );
    if (oid) await em.query(`UPDATE subjects SET entra_oid = $2 WHERE id = $1`, [subject.id, oid]);
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
