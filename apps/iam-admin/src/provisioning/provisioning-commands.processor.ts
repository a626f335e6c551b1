import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Job, UnrecoverableError } from 'bullmq';
import { checkProvisioningJob, ProvisioningOutcome, QueueName } from '@app/contracts';
import { IamAdminConfig } from '../config/iam-admin.config';
import { ProvisioningCommandsService } from './provisioning-commands.service';

/** The IAM side of the provisioning queue: every command the SCIM gateway accepted lands here. */
// autorun off: the worker starts once the app (and its migrated database) is ready, with tuned options.
@Processor(QueueName.ProvisioningCommands, { autorun: false })
export class ProvisioningCommandsProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(ProvisioningCommandsProcessor.name);

  constructor(
    private readonly commands: ProvisioningCommandsService,
    private readonly config: IamAdminConfig,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.PROVISIONING_CONCURRENCY;
    // A worker that dies mid-command loses its lock after lockDuration; another picks the job up.
    this.worker.opts.lockDuration = this.config.PROVISIONING_LOCK_MS;
    this.worker.opts.stalledInterval = this.config.PROVISIONING_STALLED_CHECK_MS;
    this.worker
      .run()
      .catch((error: Error) => this.logger.error({ err: error.message }, 'provisioning worker stopped'));
  }

  /**
   * A job is checked before anything is applied (Redis is input too): a malformed command that
   * names its id is answered with a SCIM 400 for the waiting gateway; one without is failed for
   * good (UnrecoverableError: retrying cannot fix its shape).
   */
  async process(job: Job<unknown>): Promise<ProvisioningOutcome> {
    const checked = checkProvisioningJob(job.data);
    switch (checked.kind) {
      case 'command':
        return this.commands.apply(checked.command);
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

  @OnWorkerEvent('failed')
  onFailed(job: Job<unknown> | undefined, error: Error): void {
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
