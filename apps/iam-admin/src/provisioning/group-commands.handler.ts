import { Injectable } from '@nestjs/common';
import { isDeepStrictEqual } from 'node:util';
import { EntityManager } from 'typeorm';
import {
  CreateGroupCommand,
  DeleteGroupCommand,
  PatchGroupCommand,
  ReplaceGroupCommand,
  ResourceSnapshot,
  SubjectEventType,
} from '@app/contracts';
import { applyPatch, normalizeGroupDocument, planGroupPatch } from '@app/scim';
import { changedAttributes, PendingEvent, SubjectEventsOutbox } from '../events/subject-events.outbox';
import { GroupRow, GroupsRepository } from './groups.repository';
import { lockedRow, snapshotOf, stateOf } from './snapshot';

/** Group commands: the document through the PATCH engine, membership as row deltas, each with its events. */
@Injectable()
export class GroupCommandsHandler {
  constructor(
    private readonly groups: GroupsRepository,
    private readonly events: SubjectEventsOutbox,
  ) {}

  async create(em: EntityManager, command: CreateGroupCommand): Promise<ResourceSnapshot> {
    const { document } = normalizeGroupDocument(command.document);
    const group = await this.groups.insert(em, command.tenantId, document, {
      provider: command.provider,
      source: 'scim',
    });
    const added = await this.groups.addMembers(em, group, command.members);
    await this.events.record(em, 'scim', [
      {
        type: SubjectEventType.GroupCreated,
        tenantId: group.tenantId,
        groupId: group.id,
        state: stateOf(group),
      },
      ...membershipEvents(SubjectEventType.SubjectAddedToGroup, group, added),
    ]);
    return snapshotOf(group);
  }

  async replace(em: EntityManager, command: ReplaceGroupCommand): Promise<ResourceSnapshot> {
    const group = await this.lock(em, command.tenantId, command.groupId, command.ifMatchVersion);
    const { document } = normalizeGroupDocument(command.document);
    const delta =
      command.members === undefined
        ? { added: [], removed: [] }
        : await this.groups.replaceMembers(em, group, command.members);
    return this.finish(em, group, document, delta.added, delta.removed);
  }

  async patch(em: EntityManager, command: PatchGroupCommand): Promise<ResourceSnapshot> {
    const group = await this.lock(em, command.tenantId, command.groupId, command.ifMatchVersion);
    let document = group.document;
    const added: string[] = [];
    const removed: string[] = [];
    for (const step of planGroupPatch(command.operations)) {
      switch (step.kind) {
        case 'attributes':
          document = normalizeGroupDocument(applyPatch(document, step.operations)).document;
          break;
        case 'addMembers':
          added.push(...(await this.groups.addMembers(em, group, step.ids)));
          break;
        case 'removeMembers':
          removed.push(...(await this.groups.removeMembers(em, group, step.ids)));
          break;
        case 'replaceMembers': {
          const delta = await this.groups.replaceMembers(em, group, step.ids);
          added.push(...delta.added);
          removed.push(...delta.removed);
          break;
        }
        case 'removeAllMembers':
          removed.push(...(await this.groups.removeAllMembers(em, group)));
          break;
      }
    }
    return this.finish(em, group, document, added, removed);
  }

  async delete(em: EntityManager, command: DeleteGroupCommand): Promise<null> {
    const group = await this.lock(em, command.tenantId, command.groupId, command.ifMatchVersion);
    const members = await this.groups.delete(em, group);
    await this.events.record(em, 'scim', [
      ...membershipEvents(SubjectEventType.SubjectRemovedFromGroup, group, members),
      { type: SubjectEventType.GroupDeleted, tenantId: group.tenantId, groupId: group.id, state: null },
    ]);
    return null;
  }

  /** Version and lastModified move on; events for the document change and for each membership delta. */
  private async finish(
    em: EntityManager,
    group: GroupRow,
    document: Record<string, unknown>,
    added: string[],
    removed: string[],
  ): Promise<ResourceSnapshot> {
    const documentChanged = !isDeepStrictEqual(document, group.document);
    const updated = await this.groups.touch(em, group, documentChanged ? document : null);
    const groupUpdated: PendingEvent[] = documentChanged
      ? [
          {
            type: SubjectEventType.GroupUpdated,
            tenantId: group.tenantId,
            groupId: group.id,
            changedAttributes: changedAttributes(group.document, document),
            state: stateOf(updated),
          },
        ]
      : [];
    await this.events.record(em, 'scim', [
      ...groupUpdated,
      ...membershipEvents(SubjectEventType.SubjectRemovedFromGroup, updated, removed),
      ...membershipEvents(SubjectEventType.SubjectAddedToGroup, updated, added),
    ]);
    return snapshotOf(updated);
  }

  private async lock(
    em: EntityManager,
    tenantId: string,
    id: string,
    ifMatchVersion?: number,
  ): Promise<GroupRow> {
    return lockedRow('Group', id, await this.groups.findForUpdate(em, tenantId, id), ifMatchVersion);
  }
}

/** One event per subject whose membership changed, keyed (and sequenced) by the subject. */
function membershipEvents(type: SubjectEventType, group: GroupRow, subjectIds: string[]): PendingEvent[] {
  const state = { group: { id: group.id, displayName: group.displayName } };
  return subjectIds.map((subjectId) => ({
    type,
    tenantId: group.tenantId,
    subjectId,
    groupId: group.id,
    state,
  }));
}
