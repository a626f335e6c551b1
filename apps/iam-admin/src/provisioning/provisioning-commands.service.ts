import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import {
  ProvisioningCommand,
  ProvisioningCommandName,
  ProvisioningFailure,
  ProvisioningOutcome,
  ResourceSnapshot,
} from '@app/contracts';
import { violatedUniqueConstraint } from '@app/database';
import { ScimError } from '@app/scim';
import { SubjectEventsRelay } from '../events/subject-events.relay';
import { GroupCommandsHandler } from './group-commands.handler';
import { ProvisioningOutcomesRepository } from './provisioning-outcomes.repository';
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
  ) {}

  async apply(command: ProvisioningCommand): Promise<ProvisioningOutcome> {
    try {
      const outcome = await this.dataSource.transaction(async (em) => {
        const claim = await this.outcomes.claim(em, command);
        if (!claim.claimed) return claim.outcome;
        const applied: ProvisioningOutcome = { ok: true, subject: await this.applyIn(em, command) };
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

  private applyIn(em: EntityManager, command: ProvisioningCommand): Promise<ResourceSnapshot | null> {
    switch (command.name) {
      case ProvisioningCommandName.CreateUser:
        return this.users.create(em, command);
      case ProvisioningCommandName.ReplaceUser:
        return this.users.replace(em, command);
      case ProvisioningCommandName.PatchUser:
        return this.users.patch(em, command);
      case ProvisioningCommandName.DeleteUser:
        return this.users.delete(em, command);
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
  return detail === undefined ? undefined : { status: 409, scimType: 'uniqueness', detail };
}

function assertUnreachable(value: never): never {
  throw new Error(`unhandled provisioning command ${JSON.stringify(value)}`);
}
