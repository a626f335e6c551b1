import { Injectable } from '@nestjs/common';
import { isDeepStrictEqual } from 'node:util';
import { EntityManager } from 'typeorm';
import {
  CreateUserCommand,
  DeleteUserCommand,
  DirectCommand,
  PatchUserCommand,
  ReplaceUserCommand,
  ResourceSnapshot,
  SubjectEventType,
} from '@app/contracts';
import { applyPatch, normalizeUserDocument, UserDocument } from '@app/scim';
import {
  changedAttributes,
  stateOf,
  SubjectEventsOutbox,
  subjectUpdateType,
} from '../events/subject-events.outbox';
import { MembershipsRepository } from '../subjects/memberships.repository';
import { SubjectRow, subjectColumnsOf, SubjectsRepository } from '../subjects/subjects.repository';
import { CommandContext, commandContext } from './command-context';
import { lockedRow, snapshotOf } from './snapshot';

/** User commands: subjects created, replaced, patched (row locked) and deprovisioned, each with its events. */
@Injectable()
export class UserCommandsHandler {
  constructor(
    private readonly subjects: SubjectsRepository,
    private readonly memberships: MembershipsRepository,
    private readonly events: SubjectEventsOutbox,
  ) {}

  async create(
    em: EntityManager,
    command: DirectCommand<CreateUserCommand>,
    context: CommandContext = commandContext('scim'),
  ): Promise<ResourceSnapshot> {
    const columns = subjectColumnsOf(normalizeUserDocument(command.document));
    const subject = await this.subjects.insert(em, command.tenantId, columns, {
      provider: command.provider ?? null,
      source: context.source,
    });
    context.changedAttributes.push(...Object.keys(columns.document).filter((name) => name !== 'schemas'));
    await this.events.record(em, context.source, [
      {
        type: SubjectEventType.SubjectCreated,
        tenantId: subject.tenantId,
        subjectId: subject.id,
        state: stateOf(subject),
      },
    ]);
    return snapshotOf(subject);
  }

  async replace(
    em: EntityManager,
    command: DirectCommand<ReplaceUserCommand>,
    context: CommandContext = commandContext('scim'),
  ): Promise<ResourceSnapshot> {
    const subject = await this.lock(em, command.tenantId, command.subjectId, command.ifMatchVersion);
    return this.write(em, subject, normalizeUserDocument(command.document), context);
  }

  async patch(
    em: EntityManager,
    command: DirectCommand<PatchUserCommand>,
    context: CommandContext = commandContext('scim'),
  ): Promise<ResourceSnapshot> {
    const subject = await this.lock(em, command.tenantId, command.subjectId, command.ifMatchVersion);
    const document = normalizeUserDocument(applyPatch(subject.document, command.operations));
    return this.write(em, subject, document, context);
  }

  /** Deprovisioning: the row stays as a tombstone; its memberships end, each with its event. */
  async delete(
    em: EntityManager,
    command: DirectCommand<DeleteUserCommand>,
    context: CommandContext = commandContext('scim'),
  ): Promise<null> {
    const subject = await this.lock(em, command.tenantId, command.subjectId, command.ifMatchVersion);
    const groups = await this.memberships.removeSubjectEverywhere(em, subject);
    await this.subjects.markDeleted(em, subject);
    const base = { tenantId: subject.tenantId, subjectId: subject.id };
    await this.events.record(em, context.source, [
      ...groups.map((group) => ({
        ...base,
        type: SubjectEventType.SubjectRemovedFromGroup,
        groupId: group.id,
        state: { group },
      })),
      { ...base, type: SubjectEventType.SubjectDeleted, state: null },
    ]);
    return null;
  }

  /** A change that changes nothing leaves version, lastModified and the event stream alone. */
  private async write(
    em: EntityManager,
    subject: SubjectRow,
    document: UserDocument,
    context: CommandContext,
  ): Promise<ResourceSnapshot> {
    if (isDeepStrictEqual(document, subject.document)) return snapshotOf(subject);
    const updated = await this.subjects.update(em, subject, subjectColumnsOf(document));
    const changed = changedAttributes(subject.document, document);
    context.changedAttributes.push(...changed);
    await this.events.record(em, context.source, [
      {
        type: subjectUpdateType(subject.document, document),
        tenantId: updated.tenantId,
        subjectId: updated.id,
        changedAttributes: changed,
        state: stateOf(updated),
      },
    ]);
    return snapshotOf(updated);
  }

  private async lock(
    em: EntityManager,
    tenantId: string,
    id: string,
    ifMatchVersion?: number,
  ): Promise<SubjectRow> {
    return lockedRow('User', id, await this.subjects.findForUpdate(em, tenantId, id), ifMatchVersion);
  }
}
