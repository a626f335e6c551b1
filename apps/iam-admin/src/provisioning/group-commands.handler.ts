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
import { applyPatch, normalizeGroupDocument, notFound, planGroupPatch, ScimError } from '@app/scim';
import { changedAttributes, PendingEvent, SubjectEventsOutbox } from '../events/subject-events.outbox';
import { GroupRow, GroupsRepository } from './groups.repository';
import { snapshotOf } from './snapshot';

/** Group commands: the document through the PATCH engine, membership as row deltas. */
@Injectable()
export class GroupCommandsHandler {
  constructor(private readonly groups: GroupsRepository) {}

  async create(em: EntityManager, command: CreateGroupCommand): Promise<ResourceSnapshot> {
    const { document } = normalizeGroupDocument(command.document);
    const group = await this.groups.insert(em, command.tenantId, document, {
      provider: command.provider,
      source: 'scim',
    });
    await this.groups.addMembers(em, group, command.members);
    return snapshotOf(group);
  }

  async replace(em: EntityManager, command: ReplaceGroupCommand): Promise<ResourceSnapshot> {
    const group = await this.lock(em, command.tenantId, command.groupId, command.ifMatchVersion);
    const { document } = normalizeGroupDocument(command.document);
    if (command.members !== undefined) await this.groups.replaceMembers(em, group, command.members);
    return snapshotOf(await this.groups.touch(em, group, document));
  }

  async patch(em: EntityManager, command: PatchGroupCommand): Promise<ResourceSnapshot> {
    const group = await this.lock(em, command.tenantId, command.groupId, command.ifMatchVersion);
    let document = group.document;
    for (const step of planGroupPatch(command.operations)) {
      switch (step.kind) {
        case 'attributes':
          document = normalizeGroupDocument(applyPatch(document, step.operations)).document;
          break;
        case 'addMembers':
          await this.groups.addMembers(em, group, step.ids);
          break;
        case 'removeMembers':
          await this.groups.removeMembers(em, group, step.ids);
          break;
        case 'replaceMembers':
          await this.groups.replaceMembers(em, group, step.ids);
          break;
        case 'removeAllMembers':
          await this.groups.removeAllMembers(em, group);
          break;
      }
    }
    const documentChanged = !isDeepStrictEqual(document, group.document);
    return snapshotOf(await this.groups.touch(em, group, documentChanged ? document : null));
  }

  async delete(em: EntityManager, command: DeleteGroupCommand): Promise<null> {
    const group = await this.lock(em, command.tenantId, command.groupId, command.ifMatchVersion);
    await this.groups.delete(em, group);
    return null;
  }

  private async lock(
    em: EntityManager,
    tenantId: string,
    id: string,
    ifMatchVersion?: number,
  ): Promise<GroupRow> {
    const group = await this.groups.findForUpdate(em, tenantId, id);
    if (!group) throw notFound(`Group ${id} not found`);
    if (ifMatchVersion !== undefined && ifMatchVersion !== group.version) {
      throw new ScimError(412, `Group ${id} is at version ${group.version}, not ${ifMatchVersion}`);
    }
    return group;
  }
}

function stateOf(group: GroupRow): Record<string, unknown> {
  return { id: group.id, ...group.document };
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
