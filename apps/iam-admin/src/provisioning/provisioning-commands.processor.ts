import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, OnModuleInit } from '@nestjs/common';
import { Job } from 'bullmq';
import { ProvisioningCommand, ProvisioningOutcome, QueueName } from '@app/contracts';
import { IamAdminConfig } from '../config/iam-admin.config';
import { ProvisioningCommandsService } from './provisioning-commands.service';

/** The IAM side of the provisioning queue: every command the SCIM gateway accepted lands here. */
@Processor(QueueName.ProvisioningCommands)
export class ProvisioningCommandsProcessor extends WorkerHost implements OnModuleInit {
  private readonly logger = new Logger(ProvisioningCommandsProcessor.name);

  constructor(
    private readonly commands: ProvisioningCommandsService,
    private readonly config: IamAdminConfig,
  ) {
    super();
  }

  onModuleInit(): void {
    this.worker.concurrency = this.config.PROVISIONING_CONCURRENCY;
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
