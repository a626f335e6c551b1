import { Injectable } from '@nestjs/common';
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
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
import { ProvisioningAuditService } from '../audit/provisioning-audit.service';
import {
  AuditOperation,
  AuditResourceType,
  ProvisioningAuditEntry,
} from '../audit/provisioning-audit.repository';
import { IamAdminConfig } from '../config/iam-admin.config';
import { SubjectEventsOutbox } from '../events/subject-events.outbox';
import { SubjectEventsRelay } from '../events/subject-events.relay';
import { OutboxEvent } from '../events/subject-events.repository';
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

/** What a group-commit batch's commands leave to be written once, before it commits. */
interface Written {
  events: OutboxEvent[];
  audited: ProvisioningAuditEntry[];
}

/** A command waiting for its group-commit transaction, and how its worker hears the outcome. */
interface Waiting {
  command: ProvisioningCommand;
  startedAt: number;
  /** Runs work in the worker's context for this command (its trace, its correlation id), not the batch's first. */
  within: <R>(work: () => R) => R;
  resolve: (outcome: ProvisioningOutcome) => void;
  reject: (error: unknown) => void;
}

/** A command another delivery applied first: its change is undone and the recorded outcome answered. */
class AppliedBefore extends Error {}

/**
 * Applies provisioning commands, the outcome recorded under the command id in the change's
 * transaction so a re-delivered command is answered, not applied twice: the outcome is recorded
 * after the change (one statement per command instead of a claim first and a completion after),
 * and a delivery that finds one recorded rolls its change back to the command's savepoint. Protocol refusals come back
 * as typed failures; anything else throws so BullMQ retries the job. Each command applied, refused
 * or set aside gets one provisioning audit entry, written with its outcome; a re-delivery answered
 * from the recorded outcome gets none.
 *
 * Group commit: the commands the worker is processing at once wait here and are applied in one
 * transaction, a savepoint each, so one commit (one fsync) serves them all. A refused command rolls
 * back to its savepoint and its refusal is recorded in the same transaction; a command that fails
 * otherwise rolls back to its savepoint and only its job fails; a database fault fails the whole
 * transaction and every job in it is retried, as each would be alone.
 */
@Injectable()
export class ProvisioningCommandsService {
  private readonly waiting: Waiting[] = [];
  private transactions = 0;
  private flushScheduled = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outcomes: ProvisioningOutcomesRepository,
    private readonly users: UserCommandsHandler,
    private readonly groups: GroupCommandsHandler,
    private readonly relay: SubjectEventsRelay,
    private readonly events: SubjectEventsOutbox,
    private readonly deadLetters: ProvisioningDeadLettersRepository,
    private readonly audit: ProvisioningAuditService,
    private readonly config: IamAdminConfig,
  ) {}

  /** `startedAt` (performance.now()) is when the worker started on the command: the audit's duration. */
  apply(command: ProvisioningCommand, startedAt = performance.now()): Promise<ProvisioningOutcome> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ command, startedAt, within: AsyncLocalStorage.snapshot(), resolve, reject });
      this.scheduleFlush();
    });
  }

  /** On the next turn of the event loop, so the jobs the worker started in this one join the batch. */
  private scheduleFlush(): void {
    if (this.flushScheduled || this.waiting.length === 0) return;
    if (this.transactions >= this.config.PROVISIONING_GROUP_COMMIT_TRANSACTIONS) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      while (
        this.waiting.length > 0 &&
        this.transactions < this.config.PROVISIONING_GROUP_COMMIT_TRANSACTIONS
      ) {
        const batch = this.waiting.splice(0, this.config.PROVISIONING_GROUP_COMMIT_MAX);
        this.transactions++;
        void this.applyBatch(batch).finally(() => {
          this.transactions--;
          this.scheduleFlush(); // what gathered meanwhile is the next batch
        });
      }
    });
  }

  private async applyBatch(batch: Waiting[]): Promise<void> {
    let settled: Array<() => void> = [];
    try {
      await this.dataSource.transaction(async (em) => {
        settled = [];
        // The batch's events and audit entries, each written in one statement before it commits.
        const written: Written = { events: [], audited: [] };
        for (const waiting of batch) settled.push(await this.applyAt(em, waiting, written));
        await this.events.append(em, written.events);
        await this.audit.record(em, ...written.audited);
      });
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
      return;
    }
    this.relay.kick(); // the changes' events are committed: let them leave now
    for (const settle of settled) settle();
  }

  /**
   * One command of a batch behind its savepoint; answers how to settle its job once the batch
   * commits. A database fault is thrown: the batch's transaction cannot go on.
   */
  private applyAt(em: EntityManager, waiting: Waiting, written: Written): Promise<() => void> {
    return waiting.within(() => this.applyInContext(em, waiting, written));
  }

  private async applyInContext(em: EntityManager, waiting: Waiting, written: Written): Promise<() => void> {
    const { command, startedAt } = waiting;
    // The command's events are held until it succeeds: rolled back to its savepoint, it has none.
    const context: CommandContext = { ...commandContext('scim'), events: [] };
    // Not released: a later savepoint of the same name shadows it, one round trip less per command.
    await em.query('SAVEPOINT command');
    try {
      const outcome = await this.applyOne(em, command, startedAt, context, written);
      return () => waiting.resolve(outcome);
    } catch (error) {
      await em.query('ROLLBACK TO SAVEPOINT command');
      const failure = error instanceof AppliedBefore ? undefined : refusal(error);
      if (failure) {
        const outcome = await this.recordFailure(
          em,
          command,
          failure,
          'refused',
          startedAt,
          written.audited,
          context.decisions,
        );
        return () => waiting.resolve(outcome);
      }
      if (classifyDatabaseError(error).kind === 'fault') throw error;
      // Applied or set aside by an earlier delivery: its outcome is the answer, whatever this run threw.
      const recorded = await this.outcomes.recorded(em, command.commandId);
      if (recorded) return () => waiting.resolve(recorded);
      return () => waiting.reject(error); // a poison candidate: the processor counts its attempts
    }
  }

  private async applyOne(
    em: EntityManager,
    command: ProvisioningCommand,
    startedAt: number,
    context: CommandContext,
    written: Written,
  ): Promise<ProvisioningOutcome> {
    // The gateway has answered 503 and the client retries with a new command: applied now, this
    // one could overwrite what the client changed since (the refusal is recorded, not applied).
    if (command.expiresAt !== undefined && Date.now() >= command.expiresAt)
      throw new ScimError(
        503,
        'the command expired before IAM reached it (the gateway answered 503): not applied',
      );
    const { subject, userName } = await this.applyIn(em, command, context);
    const applied: ProvisioningOutcome = { ok: true, subject };
    if (!(await this.outcomes.record(em, command, applied))) throw new AppliedBefore();
    written.events.push(...context.events!);
    // In the change's transaction: an audited success is exactly a committed change.
    written.audited.push({
      ...auditOf(command, startedAt),
      resourceId: subject?.id ?? targetOf(command),
      userName,
      changedAttributes: [...new Set(context.changedAttributes)],
      decisions: context.decisions,
      outcome: 'success',
      status: SUCCESS_STATUS[operationOf(command)],
    });
    return applied;
  }

  /**
   * Sets a poison command aside: a dead letter for operators and, in the same transaction, a final
   * 500 outcome under the command id, so a re-delivery is answered the same way and not applied.
   */
  async setAside(
    command: ProvisioningCommand,
    attempts: number,
    error: unknown,
    startedAt = performance.now(),
  ): Promise<ProvisioningOutcome> {
    return this.dataSource.transaction(async (em) => {
      // A delivery that applied it (or set it aside) first answers; no dead letter for it.
      const recorded = await this.outcomes.recorded(em, command.commandId);
      if (recorded) return recorded;
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
      const audited: ProvisioningAuditEntry[] = [];
      const outcome = await this.recordFailure(em, command, failure, 'failed', startedAt, audited);
      await this.audit.record(em, ...audited);
      return outcome;
    });
  }

  /**
   * Records a refusal or a set-aside command, its audit entry added to `audited` (the caller writes
   * it in the same transaction). When another delivery of the command recorded its outcome first,
   * that outcome is the answer, and it was audited by that delivery.
   */
  private async recordFailure(
    em: EntityManager,
    command: ProvisioningCommand,
    failure: ProvisioningFailure,
    outcome: 'refused' | 'failed',
    startedAt: number,
    audited: ProvisioningAuditEntry[],
    decisions: string[] = [],
  ): Promise<ProvisioningOutcome> {
    const refused: ProvisioningOutcome = { ok: false, failure };
    if (!(await this.outcomes.record(em, command, refused)))
      return (await this.outcomes.recorded(em, command.commandId))!;
    audited.push({
      ...auditOf(command, startedAt),
      resourceId: targetOf(command),
      userName: createdName(command),
      decisions,
      outcome,
      status: failure.status,
      scimType: failure.scimType,
      message: failure.detail.slice(0, 1000),
    });
    return refused;
  }

  /** The command applied, and the resource's name for the audit log when it is at hand (else its row has it). */
  private async applyIn(
    em: EntityManager,
    command: ProvisioningCommand,
    context: CommandContext,
  ): Promise<{ subject: ResourceSnapshot | null; userName?: string }> {
    switch (command.name) {
      case ProvisioningCommandName.CreateUser:
        return named(await this.users.create(em, command, context), 'User');
      case ProvisioningCommandName.ReplaceUser:
        return named(await this.users.replace(em, command, context), 'User');
      case ProvisioningCommandName.PatchUser:
        return named(await this.users.patch(em, command, context), 'User');
      case ProvisioningCommandName.DeleteUser:
        // The deprovisioned subject keeps its row: the audit INSERT reads its userName there.
        return { subject: await this.users.delete(em, command, context) };
      case ProvisioningCommandName.CreateGroup:
        return named(await this.groups.create(em, command, context), 'Group');
      case ProvisioningCommandName.ReplaceGroup:
        return named(await this.groups.replace(em, command, context), 'Group');
      case ProvisioningCommandName.PatchGroup:
        return named(await this.groups.patch(em, command, context), 'Group');
      case ProvisioningCommandName.DeleteGroup: {
        // The group's row is gone with it: the handler answers the name it had.
        const { displayName } = await this.groups.delete(em, command, context);
        return { subject: null, userName: displayName };
      }
      default:
        return assertUnreachable(command);
    }
  }
}

const SUCCESS_STATUS: Record<AuditOperation, number> = { create: 201, replace: 200, patch: 200, delete: 204 };

/** `patch-user` → patch. */
const operationOf = (command: ProvisioningCommand): AuditOperation =>
  command.name.split('-')[0] as AuditOperation;

const resourceTypeOf = (command: ProvisioningCommand): AuditResourceType =>
  command.name.endsWith('-user') ? 'User' : 'Group';

/** What every audit entry of a SCIM command says about it. */
function auditOf(
  command: ProvisioningCommand,
  startedAt: number,
): Pick<
  ProvisioningAuditEntry,
  | 'tenantId'
  | 'source'
  | 'scimTokenId'
  | 'provider'
  | 'commandId'
  | 'operation'
  | 'resourceType'
  | 'durationMs'
  | 'occurredAt'
> {
  return {
    tenantId: command.tenantId,
    occurredAt: new Date(), // when the command finished, not when its batch commits
    source: 'scim',
    scimTokenId: command.scimTokenId,
    provider: command.provider,
    commandId: command.commandId,
    operation: operationOf(command),
    resourceType: resourceTypeOf(command),
    durationMs: performance.now() - startedAt,
  };
}

/** A create's name is in its document; any other command's is its row's (the audit INSERT reads it there). */
function createdName(command: ProvisioningCommand): string | undefined {
  if (command.name === ProvisioningCommandName.CreateUser) return nameIn(command.document, 'User');
  if (command.name === ProvisioningCommandName.CreateGroup) return nameIn(command.document, 'Group');
  return undefined;
}

/** A User's userName, a Group's displayName. */
function nameIn(document: Record<string, unknown>, type: AuditResourceType): string | undefined {
  const name = document[type === 'User' ? 'userName' : 'displayName'];
  return typeof name === 'string' ? name : undefined;
}

function named(
  subject: ResourceSnapshot,
  type: AuditResourceType,
): { subject: ResourceSnapshot; userName?: string } {
  return { subject, userName: nameIn(subject.document, type) };
}

/** Errors that are answers, not faults: they are recorded and returned, never retried. */
export function refusal(error: unknown): ProvisioningFailure | undefined {
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
