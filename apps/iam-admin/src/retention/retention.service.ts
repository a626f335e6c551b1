import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ProvisioningAuditRepository } from '../audit/provisioning-audit.repository';
import { IamAdminConfig } from '../config/iam-admin.config';
import { SubjectEventsRepository } from '../events/subject-events.repository';
import { ProvisioningOutcomesRepository } from '../provisioning/provisioning-outcomes.repository';
import { WebhooksRepository } from '../webhooks/webhooks.repository';
import { RetentionLockRepository } from './retention-lock.repository';

const DAY_MS = 24 * 60 * 60 * 1000;

/** What one retention run deleted; `skipped` when another instance held the job. */
export interface RetentionRun {
  skipped: boolean;
  provisioningOutcomes: number;
  publishedEvents: number;
  auditEntries: number;
  webhookDeadLetters: number;
}

/**
 * Personal data is not kept longer than needed: every RETENTION_INTERVAL_MS, provisioning outcomes
 * (the SCIM answers recorded per command, for idempotency) older than RETENTION_PROVISIONING_DAYS
 * outbox events published more than RETENTION_EVENTS_DAYS ago, and provisioning audit log entries
 * older than RETENTION_AUDIT_DAYS are deleted. Unpublished events always stay. Deletes run in batches of RETENTION_BATCH_SIZE, each its own short statement, so
 * the job never holds locks or a transaction for long; one instance at a time (advisory lock).
 * Subjects, groups and memberships are not touched: the directory itself is the audit view.
 */
@Injectable()
export class RetentionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RetentionService.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outcomes: ProvisioningOutcomesRepository,
    private readonly events: SubjectEventsRepository,
    private readonly audit: ProvisioningAuditRepository,
    private readonly webhooks: WebhooksRepository,
    private readonly lock: RetentionLockRepository,
    private readonly config: IamAdminConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.RETENTION_INTERVAL_MS === 0) return;
    this.timer = setInterval(() => {
      this.running ??= this.purge()
        .catch((error: unknown) => this.logger.warn(`retention run failed: ${String(error)}`))
        .finally(() => (this.running = undefined));
    }, this.config.RETENTION_INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One run: every purge, batch after batch, unless another instance holds the job. */
  async purge(now = new Date()): Promise<RetentionRun> {
    const session = this.dataSource.createQueryRunner();
    await session.connect();
    try {
      if (!(await this.lock.tryLock(session)))
        return {
          skipped: true,
          provisioningOutcomes: 0,
          publishedEvents: 0,
          auditEntries: 0,
          webhookDeadLetters: 0,
        };
      try {
        const run: RetentionRun = {
          skipped: false,
          provisioningOutcomes: await this.inBatches(
            this.config.RETENTION_PROVISIONING_DAYS,
            now,
            (before, n) => this.outcomes.purgeAppliedBefore(session.manager, before, n),
          ),
          publishedEvents: await this.inBatches(this.config.RETENTION_EVENTS_DAYS, now, (before, n) =>
            this.events.purgePublishedBefore(session.manager, before, n),
          ),
          auditEntries: await this.inBatches(this.config.RETENTION_AUDIT_DAYS, now, (before, n) =>
            this.audit.purgeBefore(session.manager, before, n),
          ),
          webhookDeadLetters: await this.inBatches(
            this.config.RETENTION_DEAD_LETTERS_DAYS,
            now,
            (before, n) => this.webhooks.purgeDeadLettersBefore(session.manager, before, n),
          ),
        };
        if (run.provisioningOutcomes + run.publishedEvents + run.auditEntries + run.webhookDeadLetters > 0)
          this.logger.log(
            `retention deleted ${run.provisioningOutcomes} provisioning outcomes, ${run.publishedEvents} published events, ${run.auditEntries} audit log entries and ${run.webhookDeadLetters} webhook dead letters`,
          );
        return run;
      } finally {
        await this.lock.unlock(session);
      }
    } finally {
      await session.release();
    }
  }

  /** Deletes batch after batch until a batch comes back short; 0 days keeps everything. */
  private async inBatches(
    days: number,
    now: Date,
    deleteBatch: (before: Date, limit: number) => Promise<number>,
  ): Promise<number> {
    if (days === 0) return 0;
    const before = new Date(now.getTime() - days * DAY_MS);
    const size = this.config.RETENTION_BATCH_SIZE;
    let total = 0;
    for (let deleted = size; deleted === size; total += deleted) deleted = await deleteBatch(before, size);
    return total;
  }
}
