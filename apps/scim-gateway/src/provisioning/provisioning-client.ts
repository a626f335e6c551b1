import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Queue, QueueEvents } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { ProvisioningCommand, ProvisioningOutcome, QueueName, ResourceSnapshot } from '@app/contracts';
import { redisConnection, withTimeLimit } from '@app/platform';
import { propagationFields } from '@app/platform/tracing';
import { ScimError } from '@app/scim';
import { ScimGatewayConfig } from '../config/scim-gateway.config';
import { ScimPrincipal } from '../scim-auth/scim-principal';

/**
 * Answered when IAM did not apply a command in time; Entra retries after Retry-After. The command
 * carries this deadline, and IAM does not start it later (see CommandBase.expiresAt).
 */
export class ProvisioningTimeout extends ScimError {
  constructor(readonly retryAfter: number) {
    super(503, 'the change was not applied in time, and IAM does not start it after this answer; retry');
  }
}

type WithoutEnvelope<C> = C extends ProvisioningCommand
  ? Omit<C, 'commandId' | 'tenantId' | 'provider' | 'scimTokenId'>
  : never;

/** A provisioning command as a SCIM resource type writes it; the envelope (ids, tenant, provider) is added here. */
export type ProvisioningRequest = WithoutEnvelope<ProvisioningCommand>;

/**
 * Redis keeps finished jobs only as long as a waiting gateway may still look one up, and never
 * more than these many: bounded by age and by count (`true` would break waiting, see stack notes).
 */
export const JOB_RETENTION = {
  completed: { age: 3600, count: 100_000 },
  failed: { age: 7 * 24 * 3600, count: 10_000 },
} as const;

/**
 * Puts provisioning commands on the queue and waits for IAM's outcome, so Entra sees ordinary
 * synchronous SCIM answers. The add is awaited before anything is answered: an accepted write is
 * in Redis (durable there) before the client hears about it.
 */
@Injectable()
export class ProvisioningClient implements OnModuleInit, OnApplicationShutdown {
  private events!: QueueEvents;
  /**
   * Writes waiting for their outcome, by command id. One listener per event serves them all:
   * BullMQ's own waitUntilFinished adds listeners per waiting job and warns past ten.
   */
  private readonly waiting = new Map<string, (outcome: ProvisioningOutcome | undefined) => void>();

  constructor(
    @InjectQueue(QueueName.ProvisioningCommands) private readonly queue: Queue,
    private readonly config: ScimGatewayConfig,
  ) {}

  onModuleInit(): void {
    this.events = new QueueEvents(QueueName.ProvisioningCommands, {
      connection: redisConnection(this.config.REDIS_URL),
      prefix: this.config.QUEUE_PREFIX,
    });
    // Not awaited: a gateway may start while Redis is away (it reports not ready meanwhile).
    this.events.on('error', () => undefined);
    this.events.on('completed', ({ jobId, returnvalue }) =>
      this.waiting.get(jobId)?.(returnvalue as unknown as ProvisioningOutcome),
    );
    // A job failed for good (its attempts spent): not an answer; the client hears 503 at its deadline.
    this.events.on('failed', ({ jobId }) => this.waiting.get(jobId)?.(undefined));
  }

  async onApplicationShutdown(): Promise<void> {
    // Bounded: with Redis unreachable, close() would wait for a connection that never comes.
    await Promise.race([this.events?.close(), new Promise((r) => setTimeout(r, 1000).unref())]);
  }

  /** Sends a command and returns the resource it left (null after a delete) or throws the SCIM error. */
  async send(principal: ScimPrincipal, request: ProvisioningRequest): Promise<ResourceSnapshot | null> {
    const deadline = Date.now() + this.config.SCIM_COMMAND_TIMEOUT_MS;
    const command = {
      ...request,
      commandId: randomUUID(),
      expiresAt: deadline,
      tenantId: principal.tenantId,
      provider: principal.provider,
      scimTokenId: principal.tokenId,
      // The request's trace context and correlation id: IAM's work and log lines join them.
      ...propagationFields(),
    } as ProvisioningCommand;
    // Waiting starts before the add, so an outcome arriving at once is not missed.
    const outcome = this.outcomeOf(command.commandId);
    let answer: ProvisioningOutcome | undefined;
    try {
      // Both steps share one deadline: with Redis away the add itself waits for a reconnect.
      await withTimeLimit(
        this.queue.add(command.name, command, {
          jobId: command.commandId,
          attempts: 25,
          backoff: { type: 'exponential', delay: 200 },
          removeOnComplete: JOB_RETENTION.completed,
          removeOnFail: JOB_RETENTION.failed,
        }),
        deadline - Date.now(),
        'queueing the provisioning command',
      );
      answer = await withTimeLimit(outcome.promise, Math.max(1, deadline - Date.now()), 'waiting for IAM');
    } catch {
      // Redis or IAM away or busy: the command may stay queued, but IAM will not start it after the deadline.
    } finally {
      outcome.stop();
    }
    if (!answer) throw new ProvisioningTimeout(this.config.SCIM_RETRY_AFTER_SECONDS);
    if (!answer.ok)
      throw new ScimError(answer.failure.status, answer.failure.detail, answer.failure.scimType);
    return answer.subject;
  }

  private outcomeOf(commandId: string): {
    promise: Promise<ProvisioningOutcome | undefined>;
    stop: () => void;
  } {
    const promise = new Promise<ProvisioningOutcome | undefined>((resolve) =>
      this.waiting.set(commandId, resolve),
    );
    return { promise, stop: () => this.waiting.delete(commandId) };
  }
}
