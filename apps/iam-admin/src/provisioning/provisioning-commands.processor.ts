import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, Optional } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { Job, UnrecoverableError, Worker } from 'bullmq';
import { checkProvisioningJob, ProvisioningCommand, ProvisioningOutcome, QueueName } from '@app/contracts';
import { classifyDatabaseError } from '@app/database';
import { redisConnection } from '@app/platform';
import { consumeTraced } from '@app/platform/tracing';
import { IamAdminConfig } from '../config/iam-admin.config';
import { IamMetrics } from '../metrics/iam-metrics';
import { ProvisioningCommandsService } from './provisioning-commands.service';

/**
 * The IAM side of the provisioning queue: every command the SCIM gateway accepted lands here.
 * The worker is built here, not by @Processor, so that its lock settings are given at
 * construction: BullMQ derives the lock renewal period from lockDuration when it builds its lock
 * manager, and a lockDuration set afterwards would only reach the first lock.
 */
@Injectable()
export class ProvisioningCommandsProcessor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ProvisioningCommandsProcessor.name);
  private worker?: Worker;

  constructor(
    private readonly commands: ProvisioningCommandsService,
    private readonly config: IamAdminConfig,
    // Optional: unit specs build the processor without a metrics registry.
    @Optional() private readonly metrics?: IamMetrics,
  ) {}

  /** Started once the app (and its migrated database) is ready. */
  onApplicationBootstrap(): void {
    this.worker = new Worker(QueueName.ProvisioningCommands, (job: Job<unknown>) => this.process(job), {
      connection: redisConnection(this.config.REDIS_URL),
      prefix: this.config.QUEUE_PREFIX,
      concurrency: this.config.PROVISIONING_CONCURRENCY,
      // A worker that dies mid-command loses its lock after lockDuration; another picks the job up.
      lockDuration: this.config.PROVISIONING_LOCK_MS,
      stalledInterval: this.config.PROVISIONING_STALLED_CHECK_MS,
    });
    this.worker.on('failed', (job, error) => this.onFailed(job, error));
    this.metrics?.observeProvisioningWorker(this.worker);
    this.worker.on('error', (error) =>
      this.logger.error({ err: error.message }, 'provisioning worker error'),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close();
  }

  /**
   * A job is checked before anything is applied (Redis is input too): a malformed command that
   * names its id is answered with a SCIM 400 for the waiting gateway; one without is failed for
   * good (UnrecoverableError: retrying cannot fix its shape).
   */
  async process(job: Job<unknown>): Promise<ProvisioningOutcome> {
    const checked = checkProvisioningJob(job.data);
    switch (checked.kind) {
      case 'command': {
        const { command } = checked;
        // IAM's part of the SCIM request's trace; its log lines carry the request's correlation id.
        return consumeTraced(
          command,
          'provisioning-commands process',
          { 'messaging.message.id': command.commandId, 'iam.command': command.name },
          async () => {
            const outcome = await this.apply(job, command);
            this.logger.log(
              {
                commandId: command.commandId,
                command: command.name,
                outcome: outcome.ok ? 'applied' : outcome.failure.status,
              },
              'provisioning command done',
            );
            return outcome;
          },
        );
      }
      case 'refusal':
        this.logger.warn(
          { jobId: job.id, commandId: checked.commandId, err: checked.outcome.failure.detail },
          'malformed provisioning command refused',
        );
        return checked.outcome;
      case 'unanswerable':
        throw new UnrecoverableError(`malformed provisioning job: ${checked.problem}`);
    }
  }

  /**
   * Refusals come back as outcomes from the service. A database fault is thrown so BullMQ retries
   * with back-off for as long as the job's attempts last. Any other error is a poison command
   * after PROVISIONING_POISON_ATTEMPTS tries: it is set aside as a dead letter and the gateway gets
   * a final 500 with the dead letter's id, instead of a command retried for days.
   */
  private async apply(job: Job<unknown>, command: ProvisioningCommand): Promise<ProvisioningOutcome> {
    const startedAt = performance.now(); // the audit log's duration: this attempt, not the time queued
    try {
      return await this.commands.apply(command, startedAt);
    } catch (error) {
      if (classifyDatabaseError(error).kind === 'fault') throw error;
      const attempt = job.attemptsMade + 1;
      const allowed = Math.min(this.config.PROVISIONING_POISON_ATTEMPTS, job.opts?.attempts ?? 1);
      if (attempt < allowed) throw error;
      const outcome = await this.commands.setAside(command, attempt, error, startedAt);
      this.logger.error(
        { jobId: job.id, command: command.name, attempt, err: (error as Error).message },
        'poison provisioning command set aside as a dead letter',
      );
      return outcome;
    }
  }

  private onFailed(job: Job<unknown> | undefined, error: Error): void {
    // Faults (database down, …) are retried with back-off; the payload is not logged (it holds personal data).
    const name = (job?.data as { name?: unknown } | undefined)?.name;
    this.logger.warn(
      {
        jobId: job?.id,
        command: typeof name === 'string' ? name.slice(0, 40) : undefined,
        attempt: job?.attemptsMade,
        err: error.message,
      },
      'provisioning command failed',
    );
  }
}
