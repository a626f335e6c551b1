import { Injectable } from '@nestjs/common';
import { isDeepStrictEqual } from 'node:util';
import { EntityManager } from 'typeorm';
import {
  CreateUserCommand,
  DeleteUserCommand,
  PatchUserCommand,
  ReplaceUserCommand,
  ResourceSnapshot,
  SubjectEventType,
} from '@app/contracts';
import { SubjectEntity } from '@app/database';
import { applyPatch, normalizeUserDocument, notFound, ScimError, UserDocument } from '@app/scim';
import { changedAttributes, SubjectEventsOutbox, subjectUpdateType } from '../events/subject-events.outbox';
import { snapshotOf } from './snapshot';
import { SubjectColumns, SubjectsRepository } from './subjects.repository';

/** User commands: subjects created, replaced, patched (row locked) and deprovisioned. */
@Injectable()
export class UserCommandsHandler {
  constructor(private readonly subjects: SubjectsRepository) {}

  async create(em: EntityManager, command: CreateUserCommand): Promise<ResourceSnapshot> {
    const columns = columnsOf(normalizeUserDocument(command.document));
    return snapshotOf(
      await this.subjects.insert(em, command.tenantId, columns, {
        provider: command.provider,
        source: 'scim',
      }),
    );
  }

  async replace(em: EntityManager, command: ReplaceUserCommand): Promise<ResourceSnapshot> {
    const subject = await this.lock(em, command.tenantId, command.subjectId, command.ifMatchVersion);
    return snapshotOf(
      await this.subjects.update(em, subject, columnsOf(normalizeUserDocument(command.document))),
    );
  }

  async patch(em: EntityManager, command: PatchUserCommand): Promise<ResourceSnapshot> {
    const subject = await this.lock(em, command.tenantId, command.subjectId, command.ifMatchVersion);
    const patched = normalizeUserDocument(applyPatch(subject.document, command.operations));
    // A PATCH that changes nothing leaves version and lastModified alone.
    if (isDeepStrictEqual(patched, subject.document)) return snapshotOf(subject);
    return snapshotOf(await this.subjects.update(em, subject, columnsOf(patched)));
  }

  async delete(em: EntityManager, command: DeleteUserCommand): Promise<null> {
    const subject = await this.lock(em, command.tenantId, command.subjectId, command.ifMatchVersion);
    await this.subjects.markDeleted(em, subject);
    return null;
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

/** What events carry as the subject's state: its SCIM document and id (documents hold no secrets). */
function stateOf(subject: SubjectEntity): Record<string, unknown> {
  return { id: subject.id, ...subject.document };
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
