import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import {
  ProvisioningCommand,
  ProvisioningCommandName,
  ProvisioningFailure,
  ProvisioningOutcome,
  ResourceSnapshot,
} from '@app/contracts';
import { classifyDatabaseError, violatedUniqueConstraint } from '@app/database';
import { ScimError } from '@app/scim';
import { SubjectEventsRelay } from '../events/subject-events.relay';
import { GroupCommandsHandler } from './group-commands.handler';
import { ProvisioningDeadLettersRepository } from './provisioning-dead-letters.repository';
import { ProvisioningOutcomesRepository } from './provisioning-outcomes.repository';
import { CommandContext, commandContext } from './command-context';
import { UserCommandsHandler } from './user-commands.handler';

/** Unique constraints whose violation is the client's `uniqueness` error, with what to tell it. */
const UNIQUENESS: Record<string, string> = {
  uq_subjects_tenant_user_name: 'userName is already taken in this tenant (userName is case-insensitive)',
  uq_groups_tenant_display_name: 'displayName is already taken by a group of this tenant (case-insensitive)',
};

/**
 * Applies provisioning commands: one database transaction per command, the outcome recorded under
 * the command id in the same transaction so a re-delivered command is answered, not re-applied.
 * Protocol refusals come back as typed failures; anything else throws so BullMQ retries the job.
 */
@Injectable()
export class ProvisioningCommandsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outcomes: ProvisioningOutcomesRepository,
    private readonly users: UserCommandsHandler,
    private readonly groups: GroupCommandsHandler,
    private readonly relay: SubjectEventsRelay,
    private readonly deadLetters: ProvisioningDeadLettersRepository,
  ) {}

  async apply(command: ProvisioningCommand): Promise<ProvisioningOutcome> {
    try {
      const outcome = await this.dataSource.transaction(async (em) => {
        const claim = await this.outcomes.claim(em, command);
        if (!claim.claimed) return claim.outcome;
        const context = commandContext('scim');
        const applied: ProvisioningOutcome = { ok: true, subject: await this.applyIn(em, command, context) };
        await this.outcomes.complete(em, command.commandId, applied);
        return applied;
      });
      this.relay.kick(); // the change's events are committed: let them leave now
      return outcome;
    } catch (error) {
      const failure = refusal(error);
      if (!failure) throw error;
      return this.outcomes.recordRefusal(this.dataSource, command, { ok: false, failure });
    }
  }

  /**
   * Sets a poison command aside: a dead letter for operators and, in the same transaction, a final
   * 500 outcome under the command id, so a re-delivery is answered the same way and not applied.
   */
  async setAside(
    command: ProvisioningCommand,
    attempts: number,
    error: unknown,
  ): Promise<ProvisioningOutcome> {
    return this.dataSource.transaction(async (em) => {
      const id = await this.deadLetters.record(em, {
        id: randomUUID(),
        commandId: command.commandId,
        tenantId: command.tenantId,
        command: command.name,
        targetId: targetOf(command),
        attempts,
        error: (error instanceof Error ? error.message : String(error)).slice(0, 1000),
      });
      const failure: ProvisioningFailure = {
        status: 500,
        detail: `the change could not be applied and was set aside for an operator (correlation id ${id})`,
      };
      return this.outcomes.recordRefusal(em, command, { ok: false, failure });
    });
  }

  private applyIn(
    em: EntityManager,
    command: ProvisioningCommand,
    context: CommandContext,
  ): Promise<ResourceSnapshot | null> {
    switch (command.name) {
      case ProvisioningCommandName.CreateUser:
        return this.users.create(em, command, context);
      case ProvisioningCommandName.ReplaceUser:
        return this.users.replace(em, command, context);
      case ProvisioningCommandName.PatchUser:
        return this.users.patch(em, command, context);
      case ProvisioningCommandName.DeleteUser:
        return this.users.delete(em, command, context);
      case ProvisioningCommandName.CreateGroup:
        return this.groups.create(em, command);
      case ProvisioningCommandName.ReplaceGroup:
        return this.groups.replace(em, command);
      case ProvisioningCommandName.PatchGroup:
        return this.groups.patch(em, command);
      case ProvisioningCommandName.DeleteGroup:
        return this.groups.delete(em, command);
      default:
        return assertUnreachable(command);
    }
  }
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
  const constraint = violatedUniqueConstraint(error);
  const detail = constraint === undefined ? undefined : UNIQUENESS[constraint];
  if (detail !== undefined) return { status: 409, scimType: 'uniqueness', detail };
  const classified = classifyDatabaseError(error);
  if (classified.kind !== 'refusal') return undefined;
  const attribute = attributeNamed(classified.names);
  return {
    status: 400,
    scimType: 'invalidValue',
    detail: `${attribute ?? 'a value of the resource'} cannot be stored as sent (database error ${classified.code})`,
  };
}

/** Columns, and the indexes and constraints over them, by the SCIM attribute they hold. */
const ATTRIBUTE_COLUMNS: Array<[RegExp, string]> = [
  [/user_name/, 'userName'],
  [/external_id/, 'externalId'],
  [/display_name/, 'displayName'],
  [/entra_oid/, 'externalId'],
  [/document/, 'the resource document'],
];

/** The SCIM attribute a database refusal names, when its column, constraint or index says which. */
function attributeNamed(names: string[]): string | undefined {
  for (const name of names)
    for (const [pattern, attribute] of ATTRIBUTE_COLUMNS) if (pattern.test(name)) return attribute;
  return undefined;
}

/** The subject or group a command addresses (none for a create). */
function targetOf(command: ProvisioningCommand): string | undefined {
  if ('subjectId' in command) return command.subjectId;
  if ('groupId' in command) return command.groupId;
  return undefined;
}

function assertUnreachable(value: never): never {
  throw new Error(`unhandled provisioning command ${JSON.stringify(value)}`);
}
