import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Queue, QueueEvents } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { ProvisioningCommand, ProvisioningOutcome, QueueName, ResourceSnapshot } from '@app/contracts';
import { redisConnection, withTimeLimit } from '@app/platform';
import { ScimError } from '@app/scim';
import { ScimGatewayConfig } from '../config/scim-gateway.config';
import { ScimPrincipal } from '../scim-auth/scim-principal';

/** Answered when IAM did not apply a command in time; Entra retries after Retry-After. */
export class ProvisioningTimeout extends ScimError {
  constructor(readonly retryAfter: number) {
    super(503, 'the change was accepted but not yet applied; retry later');
  }
}

type WithoutEnvelope<C> = C extends ProvisioningCommand
  ? Omit<C, 'commandId' | 'tenantId' | 'provider' | 'scimTokenId'>
  : never;

/** A provisioning command as a SCIM resource type writes it; the envelope (ids, tenant, provider) is added here. */
export type ProvisioningRequest = WithoutEnvelope<ProvisioningCommand>;

/**
 * Puts provisioning commands on the queue and waits for IAM's outcome, so Entra sees ordinary
 * synchronous SCIM answers. The add is awaited before anything is answered: an accepted write is
 * in Redis (durable there) before the client hears about it.
 */
@Injectable()
export class ProvisioningClient implements OnModuleInit, OnApplicationShutdown {
  private events!: QueueEvents;

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
  }

  async onApplicationShutdown(): Promise<void> {
    // Bounded: with Redis unreachable, close() would wait for a connection that never comes.
    await Promise.race([this.events?.close(), new Promise((r) => setTimeout(r, 1000).unref())]);
  }

  /** Sends a command and returns the resource it left (null after a delete) or throws the SCIM error. */
  async send(principal: ScimPrincipal, request: ProvisioningRequest): Promise<ResourceSnapshot | null> {
    const command = {
      ...request,
      commandId: randomUUID(),
      tenantId: principal.tenantId,
      provider: principal.provider,
      scimTokenId: principal.tokenId,
    } as ProvisioningCommand;
    const deadline = Date.now() + this.config.SCIM_COMMAND_TIMEOUT_MS;
    let outcome: ProvisioningOutcome;
    try {
      // Both steps share one deadline: with Redis away the add itself waits for a reconnect.
      const job = await withTimeLimit(
        this.queue.add(command.name, command, {
          jobId: command.commandId,
          attempts: 25,
          backoff: { type: 'exponential', delay: 200 },
          // By age and count, not `true`: waitUntilFinished must still find the finished job.
          removeOnComplete: { age: 3600, count: 100_000 },
          removeOnFail: { age: 7 * 24 * 3600 },
        }),
        deadline - Date.now(),
        'queueing the provisioning command',
      );
      outcome = (await job.waitUntilFinished(
        this.events,
        Math.max(1, deadline - Date.now()),
      )) as ProvisioningOutcome;
    } catch {
      // Redis or IAM away or busy: an accepted command stays queued and will be applied once.
      throw new ProvisioningTimeout(this.config.SCIM_RETRY_AFTER_SECONDS);
    }
    if (!outcome.ok)
      throw new ScimError(outcome.failure.status, outcome.failure.detail, outcome.failure.scimType);
    return outcome.subject;
  }
}
