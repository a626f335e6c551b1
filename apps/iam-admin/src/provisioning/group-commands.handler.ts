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
import { applyPatch, invalidValue, normalizeGroupDocument, planGroupPatch } from '@app/scim';
import {
  changedAttributes,
  PendingEvent,
  stateOf,
  SubjectEventsOutbox,
} from '../events/subject-events.outbox';
import { GroupRow, GroupsRepository } from '../subjects/groups.repository';
import { MembershipsRepository } from '../subjects/memberships.repository';
import { SubjectsRepository } from '../subjects/subjects.repository';
import { CommandContext, commandContext } from './command-context';
import { lockedRow, snapshotOf } from './snapshot';

/**
 * Group commands: the document through the PATCH engine, membership as row deltas, each with its
 * events. The context gets the names of the attributes changed (`members` when membership changed).
 */
@Injectable()
export class GroupCommandsHandler {
  constructor(
    private readonly groups: GroupsRepository,
    private readonly memberships: MembershipsRepository,
    private readonly subjects: SubjectsRepository,
    private readonly events: SubjectEventsOutbox,
  ) {}

  async create(
    em: EntityManager,
    command: CreateGroupCommand,
    context: CommandContext = commandContext('scim'),
  ): Promise<ResourceSnapshot> {
    const { document } = normalizeGroupDocument(command.document);
    const group = await this.groups.insert(em, command.tenantId, document, {
      provider: command.provider,
      source: groupSource(context),
    });
    const added = await this.addMembers(em, group, command.members);
    context.changedAttributes.push(
      ...Object.keys(document).filter((name) => name !== 'schemas'),
      ...(added.length > 0 ? ['members'] : []),
    );
    await this.events.record(
      em,
      context.source,
      [
        {
          type: SubjectEventType.GroupCreated,
          tenantId: group.tenantId,
          groupId: group.id,
          state: stateOf(group),
        },
        ...membershipEvents(SubjectEventType.SubjectAddedToGroup, group, added),
      ],
      context.events,
    );
    return snapshotOf(group);
  }

  async replace(
    em: EntityManager,
    command: ReplaceGroupCommand,
    context: CommandContext = commandContext('scim'),
  ): Promise<ResourceSnapshot> {
    const group = await this.lock(em, command.tenantId, command.groupId, command.ifMatchVersion);
    const { document } = normalizeGroupDocument(command.document);
    const delta =
      command.members === undefined
        ? { added: [], removed: [] }
        : await this.replaceMembers(em, group, command.members);
    return this.finish(em, group, document, delta, context);
  }

  async patch(
    em: EntityManager,
    command: PatchGroupCommand,
    context: CommandContext = commandContext('scim'),
  ): Promise<ResourceSnapshot> {
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
          added.push(...(await this.addMembers(em, group, step.ids)));
          break;
        case 'removeMembers':
          removed.push(...(await this.memberships.remove(em, group, step.ids)));
          break;
        case 'replaceMembers': {
          const delta = await this.replaceMembers(em, group, step.ids);
          added.push(...delta.added);
          removed.push(...delta.removed);
          break;
        }
        case 'removeAllMembers':
          removed.push(...(await this.memberships.removeAll(em, group)));
          break;
      }
    }
    return this.finish(em, group, document, { added, removed }, context);
  }

  /** Answers the group as it was (its row is gone; the audit log names it). */
  async delete(
    em: EntityManager,
    command: DeleteGroupCommand,
    context: CommandContext = commandContext('scim'),
  ): Promise<GroupRow> {
    const group = await this.lock(em, command.tenantId, command.groupId, command.ifMatchVersion);
    const members = await this.memberships.removeAll(em, group);
    await this.groups.delete(em, group);
    await this.events.record(
      em,
      context.source,
      [
        ...membershipEvents(SubjectEventType.SubjectRemovedFromGroup, group, members),
        { type: SubjectEventType.GroupDeleted, tenantId: group.tenantId, groupId: group.id, state: null },
      ],
      context.events,
    );
    return group;
  }

  /** Adds members (existing ones are left alone); returns the subjects that became members. */
  private async addMembers(em: EntityManager, group: GroupRow, ids: string[]): Promise<string[]> {
    return this.memberships.add(em, group, await this.requireSubjects(em, group.tenantId, ids));
  }

  private async replaceMembers(
    em: EntityManager,
    group: GroupRow,
    ids: string[],
  ): Promise<{ added: string[]; removed: string[] }> {
    const members = await this.requireSubjects(em, group.tenantId, ids);
    const removed = await this.memberships.removeAllBut(em, group, members);
    return { added: await this.memberships.add(em, group, members), removed };
  }

  /** Members must be live subjects of the group's tenant: the others are refused, by id. */
  private async requireSubjects(em: EntityManager, tenantId: string, ids: string[]): Promise<string[]> {
    const unique = [...new Set(ids.map((id) => id.toLowerCase()))];
    const known = await this.subjects.liveIds(em, tenantId, unique);
    const missing = unique.filter((id) => !known.has(id));
    if (missing.length > 0) {
      const shown =
        missing.slice(0, 10).join(', ') + (missing.length > 10 ? ` and ${missing.length - 10} more` : '');
      throw invalidValue(`members must be Users of this tenant; unknown: ${shown}`);
    }
    return unique;
  }

  /** Version and lastModified move on; events for the document change and for each membership delta. */
  private async finish(
    em: EntityManager,
    group: GroupRow,
    document: Record<string, unknown>,
    { added, removed }: { added: string[]; removed: string[] },
    context: CommandContext,
  ): Promise<ResourceSnapshot> {
    const documentChanged = !isDeepStrictEqual(document, group.document);
    const changed = documentChanged ? changedAttributes(group.document, document) : [];
    const updated = await this.groups.touch(em, group, documentChanged ? document : null);
    context.changedAttributes.push(...changed, ...(added.length + removed.length > 0 ? ['members'] : []));
    const groupUpdated: PendingEvent[] = documentChanged
      ? [
          {
            type: SubjectEventType.GroupUpdated,
            tenantId: group.tenantId,
            groupId: group.id,
            changedAttributes: changed,
            state: stateOf(updated),
          },
        ]
      : [];
    await this.events.record(
      em,
      context.source,
      [
        ...groupUpdated,
        ...membershipEvents(SubjectEventType.SubjectRemovedFromGroup, updated, removed),
        ...membershipEvents(SubjectEventType.SubjectAddedToGroup, updated, added),
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
  ): Promise<GroupRow> {
    return lockedRow('Group', id, await this.groups.findForUpdate(em, tenantId, id), ifMatchVersion);
  }
}

/** Groups come from SCIM or an operator; a sign-in never creates one. */
function groupSource({ source }: CommandContext): 'scim' | 'admin' {
  if (source === 'sso-jit') throw new Error('a sign-in does not create groups');
  return source;
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
