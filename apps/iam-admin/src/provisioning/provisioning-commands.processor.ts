import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Job } from 'bullmq';
import { ProvisioningCommand, ProvisioningOutcome, QueueName } from '@app/contracts';
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

  process(job: Job<ProvisioningCommand>): Promise<ProvisioningOutcome> {
    return this.commands.apply(job.data);
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job<ProvisioningCommand> | undefined, error: Error): void {
    // Faults (database down, …) are retried with back-off; the payload is not logged (it holds personal data).
    this.logger.warn(
      { jobId: job?.id, command: job?.data.name, attempt: job?.attemptsMade, err: error.message },
      'provisioning command failed',
    );
  }
}
