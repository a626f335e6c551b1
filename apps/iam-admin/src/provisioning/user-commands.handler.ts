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
import { applyPatch, FOLDERS_SCHEMA, normalizeUserDocument, UserDocument } from '@app/scim';
import {
  changedAttributes,
  SubjectEventsOutbox,
  subjectStateOf,
  subjectUpdateType,
} from '../events/subject-events.outbox';
import { SubjectFoldersRepository } from '../folders/subject-folders.repository';
import { PolicyTarget, ProvisioningPolicyService } from '../provisioning-policy/provisioning-policy.service';
import { withoutStaleValues } from '../provisioning-policy/stored-values';
import { MembershipsRepository } from '../subjects/memberships.repository';
import { SubjectRow, subjectColumnsOf, SubjectsRepository } from '../subjects/subjects.repository';
import { CommandContext, commandContext } from './command-context';
import { lockedRow, snapshotOf } from './snapshot';

/**
 * User commands: subjects created, replaced, patched (row locked) and deprovisioned, each with its
 * events. Every written document first passes the tenant's provisioning policy (defaults, userType,
 * folders, metadata keys, verified domains), whoever sent it. A SCIM write makes the subject
 * SCIM-managed (`managedBy: 'scim'`); other writes leave who manages it as it was.
 */
@Injectable()
export class UserCommandsHandler {
  constructor(
    private readonly subjects: SubjectsRepository,
    private readonly memberships: MembershipsRepository,
    private readonly events: SubjectEventsOutbox,
    private readonly policy: ProvisioningPolicyService,
    private readonly subjectFolders: SubjectFoldersRepository,
  ) {}

  async create(
    em: EntityManager,
    command: DirectCommand<CreateUserCommand>,
    context: CommandContext = commandContext('scim'),
  ): Promise<ResourceSnapshot> {
    const { document, folderIds } = await this.policy.apply(
      em,
      targetOf(command),
      normalizeUserDocument(command.document),
      context,
    );
    const columns = subjectColumnsOf(document);
    const inserted = await this.subjects.insert(em, command.tenantId, columns, {
      provider: command.provider ?? null,
      source: context.source,
      managedBy: managedByAfter(context),
    });
    // A new subject has no folder access yet: a write only when it gets some.
    if (folderIds.length > 0)
      await this.subjectFolders.replace(em, inserted.tenantId, inserted.id, folderIds);
    // A new subject is in no group yet (memberships are written on the Group side).
    const subject = { ...inserted, folders: folderIds, groups: [] };
    context.changedAttributes.push(...Object.keys(columns.document).filter((name) => name !== 'schemas'));
    const facts = subjectStateOf(subject);
    const { loginMethod } = context;
    await this.events.record(
      em,
      context.source,
      [
        {
          type: SubjectEventType.SubjectCreated,
          tenantId: subject.tenantId,
          subjectId: subject.id,
          ...facts,
          state: loginMethod ? { ...facts.state, loginMethod } : facts.state,
        },
      ],
      context.events,
    );
    return snapshotOf(subject);
  }

  async replace(
    em: EntityManager,
    command: DirectCommand<ReplaceUserCommand>,
    context: CommandContext = commandContext('scim'),
  ): Promise<ResourceSnapshot> {
    const subject = await this.lock(em, command.tenantId, command.subjectId, command.ifMatchVersion);
    return this.write(em, targetOf(command), subject, normalizeUserDocument(command.document), context);
  }

  async patch(
    em: EntityManager,
    command: DirectCommand<PatchUserCommand>,
    context: CommandContext = commandContext('scim'),
  ): Promise<ResourceSnapshot> {
    const subject = await this.lock(em, command.tenantId, command.subjectId, command.ifMatchVersion);
    // A PATCH is validated on what it brings, not on stale stored values (see withoutStaleValues).
    const stored = normalizeUserDocument(withoutStaleValues(subject.document, context.decisions));
    const document = normalizeUserDocument(applyPatch(stored, command.operations));
    return this.write(em, targetOf(command), subject, document, context, stored);
  }

  /** Deprovisioning: the row stays as a tombstone; its memberships and folder access end (memberships with events). */
  async delete(
    em: EntityManager,
    command: DirectCommand<DeleteUserCommand>,
    context: CommandContext = commandContext('scim'),
  ): Promise<null> {
    const subject = await this.lock(em, command.tenantId, command.subjectId, command.ifMatchVersion);
    const groups = await this.memberships.removeSubjectEverywhere(em, subject);
    await this.subjectFolders.replace(em, subject.tenantId, subject.id, []);
    await this.subjects.markDeleted(em, subject);
    const base = { tenantId: subject.tenantId, subjectId: subject.id };
    await this.events.record(
      em,
      context.source,
      [
        ...groups.map((group) => ({
          ...base,
          type: SubjectEventType.SubjectRemovedFromGroup,
          groupId: group.id,
          state: { group },
        })),
        { ...base, type: SubjectEventType.SubjectDeleted, state: null },
      ],
      context.events,
    );
    return null;
  }

  /**
   * A change that changes nothing leaves version, lastModified and the event stream alone. The
   * same folder values can resolve to another set (a folder was created or deleted since): that is
   * a change of the folders extension.
   */
  private async write(
    em: EntityManager,
    target: PolicyTarget,
    subject: SubjectRow,
    sent: UserDocument,
    context: CommandContext,
    patchedFrom?: UserDocument,
  ): Promise<ResourceSnapshot> {
    const { document, folderIds } = await this.policy.apply(em, target, sent, context, patchedFrom);
    const foldersChanged = !isDeepStrictEqual(folderIds, subject.folders);
    if (isDeepStrictEqual(document, subject.document) && !foldersChanged) return snapshotOf(subject);
    // Written first, so the updated row reads the new set.
    if (foldersChanged) await this.subjectFolders.replace(em, subject.tenantId, subject.id, folderIds);
    const updated = await this.subjects.update(
      em,
      subject,
      subjectColumnsOf(document),
      managedByAfter(context) ?? undefined,
    );
    const changed = changedAttributes(subject.document, document);
    if (foldersChanged && !changed.includes(FOLDERS_SCHEMA)) changed.push(FOLDERS_SCHEMA);
    context.changedAttributes.push(...changed);
    await this.events.record(
      em,
      context.source,
      [
        {
          type: subjectUpdateType(subject.document, document),
          tenantId: updated.tenantId,
          subjectId: updated.id,
          changedAttributes: changed,
          ...subjectStateOf(updated),
        },
      ],
      context.events,
    );
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

/** The policy scope of a command: its tenant, and the provider whose SCIM token sent it (if any). */
const targetOf = (command: { tenantId: string; provider?: string }): PolicyTarget => ({
  tenantId: command.tenantId,
  provider: command.provider ?? null,
});

/** A SCIM write makes the subject SCIM-managed; null: the write does not change who manages it. */
const managedByAfter = (context: CommandContext): 'scim' | null =>
  context.source === 'scim' ? 'scim' : null;
