import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { isDeepStrictEqual } from 'node:util';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import {
  ProvisioningCommand,
  ProvisioningCommandName,
  ProvisioningFailure,
  ProvisioningOutcome,
  SubjectSnapshot,
} from '@app/contracts';
import { SubjectEntity } from '@app/database';
import { applyPatch, normalizeUserDocument, notFound, ScimError, uniqueness, UserDocument } from '@app/scim';
import { SubjectColumns, SubjectsRepository } from './subjects.repository';
import { ProvisioningOutcomesRepository } from './provisioning-outcomes.repository';

/**
 * Applies provisioning commands to subjects: one database transaction per command, the subject
 * row locked while it changes, the outcome recorded under the command id in the same transaction.
 * Protocol refusals come back as typed failures; anything else throws so BullMQ retries the job.
 */
@Injectable()
export class ProvisioningCommandsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly subjects: SubjectsRepository,
    private readonly outcomes: ProvisioningOutcomesRepository,
  ) {}

  async apply(command: ProvisioningCommand): Promise<ProvisioningOutcome> {
    try {
      return await this.dataSource.transaction(async (em) => {
        const claim = await this.outcomes.claim(em, command);
        if (!claim.claimed) return claim.outcome;
        const subject = await this.applyIn(em, command);
        const outcome: ProvisioningOutcome = { ok: true, subject: subject ? snapshot(subject) : null };
        await this.outcomes.complete(em, command.commandId, outcome);
        return outcome;
      });
    } catch (error) {
      const failure = refusal(error);
      if (!failure) throw error;
      return this.outcomes.recordRefusal(this.dataSource, command, { ok: false, failure });
    }
  }

  private async applyIn(em: EntityManager, command: ProvisioningCommand): Promise<SubjectEntity | null> {
    switch (command.name) {
      case ProvisioningCommandName.CreateUser:
        return this.subjects.insert(
          em,
          command.tenantId,
          columnsOf(normalizeUserDocument(command.document)),
          {
            provider: command.provider,
            source: 'scim',
          },
        );
      case ProvisioningCommandName.ReplaceUser: {
        const subject = await this.lock(em, command.tenantId, command.subjectId, command.ifMatchVersion);
        return this.subjects.update(em, subject, columnsOf(normalizeUserDocument(command.document)));
      }
      case ProvisioningCommandName.PatchUser: {
        const subject = await this.lock(em, command.tenantId, command.subjectId, command.ifMatchVersion);
        const patched = normalizeUserDocument(applyPatch(subject.document, command.operations));
        // A PATCH that changes nothing leaves version and lastModified alone.
        if (isDeepStrictEqual(patched, subject.document)) return subject;
        return this.subjects.update(em, subject, columnsOf(patched));
      }
      case ProvisioningCommandName.DeleteUser: {
        const subject = await this.lock(em, command.tenantId, command.subjectId, command.ifMatchVersion);
        await this.subjects.markDeleted(em, subject);
        return null;
      }
      default:
        return assertUnreachable(command);
    }
  }

  private async lock(
    em: EntityManager,
    tenantId: string,
    id: string,
    ifMatchVersion?: number,
  ): Promise<SubjectEntity> {
    const subject = await this.subjects.findForUpdate(em, tenantId, id);
    if (!subject) throw notFound(`User ${id} not found`);
    if (ifMatchVersion !== undefined && ifMatchVersion !== subject.version) {
      throw new ScimError(412, `User ${id} is at version ${subject.version}, not ${ifMatchVersion}`);
    }
    return subject;
  }
}

function columnsOf(document: UserDocument): SubjectColumns {
  return {
    userName: document.userName,
    externalId: typeof document.externalId === 'string' ? document.externalId : null,
    displayName: typeof document.displayName === 'string' ? document.displayName : null,
    active: document.active !== false,
    document,
  };
}

function snapshot(subject: SubjectEntity): SubjectSnapshot {
  return {
    id: subject.id,
    document: subject.document,
    version: subject.version,
    createdAt: new Date(subject.createdAt).toISOString(),
    updatedAt: new Date(subject.updatedAt).toISOString(),
  };
}

/** Errors that are answers, not faults: they are recorded and returned, never retried. */
function refusal(error: unknown): ProvisioningFailure | undefined {
  if (error instanceof ScimError) {
    return {
      status: error.status as ProvisioningFailure['status'],
      scimType: error.scimType as ProvisioningFailure['scimType'],
      detail: error.detail,
    };
  }
  if (error instanceof QueryFailedError) {
    const driver = error.driverError as { code?: string; constraint?: string };
    if (driver.code === '23505' && driver.constraint === 'uq_subjects_tenant_user_name') {
      const failure = uniqueness('userName is already taken in this tenant (userName is case-insensitive)');
      return { status: 409, scimType: 'uniqueness', detail: failure.detail };
    }
  }
  return undefined;
}

function assertUnreachable(value: never): never {
  throw new Error(`unhandled provisioning command ${JSON.stringify(value)}`);
}
