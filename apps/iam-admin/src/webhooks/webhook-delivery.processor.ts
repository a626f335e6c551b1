import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DelayedError, Job, UnrecoverableError } from 'bullmq';
import { DataSource } from 'typeorm';
import {
  isWebhookDeliveryJob,
  WEBHOOK_DELIVERIES_QUEUE,
  WebhookDeliveryJob,
  webhookDeliveryJobProblems,
  withoutMalformedPropagation,
} from '@app/contracts';
import { OutboundAddressPolicy, OutboundAddressRefused, postOutbound } from '@app/platform';
import { consumeTraced } from '@app/platform/tracing';
import { IamAdminConfig } from '../config/iam-admin.config';
import { SEALED_COLUMNS } from '../crypto/sealed-columns';
import { SecretCipher } from '../crypto/secret-cipher';
import { SubjectEventsStream } from '../events/subject-events.stream';
import { IamMetrics } from '../metrics/iam-metrics';
import { webhookSignature } from './webhook-signature';
import { Subscription, WebhooksRepository } from './webhooks.repository';

/**
 * POSTs one event to one subscriber, signed; anything but 2xx (a redirect included: it is not
 * followed) is retried with back-off, then dead-lettered. A receiver whose address the outbound
 * policy refuses is dead-lettered at once: retrying would not make it public. A job is checked
 * first (Redis is input too): a malformed one is failed for good, and only logged.
 *
 * Tenants share the worker's slots fairly: one tenant has at most WEBHOOK_TENANT_CONCURRENCY
 * deliveries in flight here; its other jobs are put back (delayed, not counted as attempts), so a
 * receiver that hangs until the timeout cannot hold every slot while other tenants' deliveries wait.
 */
// A short lock (renewed every 5 s while a delivery runs): a delivery in flight when an instance dies
// is taken over within about 15 s instead of BullMQ's default 60-90 s.
@Processor(WEBHOOK_DELIVERIES_QUEUE, { concurrency: 32, lockDuration: 10_000, stalledInterval: 5_000 })
export class WebhookDeliveryProcessor extends WorkerHost {
  private readonly logger = new Logger(WebhookDeliveryProcessor.name);
  /** Deliveries in flight in this instance, per tenant. */
  private readonly inFlight = new Map<string, number>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly webhooks: WebhooksRepository,
    private readonly cipher: SecretCipher,
    private readonly config: IamAdminConfig,
    private readonly outbound: OutboundAddressPolicy,
    private readonly stream: SubjectEventsStream,
    private readonly metrics: IamMetrics,
  ) {
    super();
  }

  async process(job: Job<unknown>, token?: string): Promise<void> {
    const { data } = job;
    if (!isWebhookDeliveryJob(data)) {
      throw new UnrecoverableError(
        `malformed webhook delivery job: ${webhookDeliveryJobProblems(data).join('; ')}`,
      );
    }
    const busy = this.inFlight.get(data.tenantId) ?? 0;
    if (busy >= this.config.WEBHOOK_TENANT_CONCURRENCY) {
      await job.moveToDelayed(Date.now() + this.deferral(job), token);
      throw new DelayedError();
    }
    this.inFlight.set(data.tenantId, busy + 1);
    try {
      // In the trace of the change (the request carries `traceparent`); a new one when the event names none.
      await consumeTraced(
        data.event,
        'webhook-deliveries process',
        { 'messaging.message.id': data.event.id },
        () => this.deliver(data, job.attemptsMade + 1),
      );
    } finally {
      const left = (this.inFlight.get(data.tenantId) ?? 1) - 1;
      if (left > 0) this.inFlight.set(data.tenantId, left);
      else this.inFlight.delete(data.tenantId);
    }
  }

  /**
   * How long a job of a tenant at its limit waits before it is looked at again: doubling from 50 ms
   * each time it is put back (up to the delivery timeout, when a hanging delivery frees its slot),
   * with jitter so a tenant's backlog does not come back all at once.
   */
  private deferral(job: Job): number {
    const putBack = Math.max(0, job.attemptsStarted - job.attemptsMade - 1);
    const ceiling = Math.min(this.config.WEBHOOK_TIMEOUT_MS, 50 * 2 ** Math.min(putBack, 16));
    return Math.round(ceiling * (0.5 + Math.random() / 2));
  }

  private async deliver(data: WebhookDeliveryJob, attempt: number): Promise<void> {
    const subscription = await this.webhooks.find(this.dataSource, data.tenantId, data.subscriptionId);
    if (!subscription) return; // deleted meanwhile: nothing to deliver
    const started = performance.now();
    let statusCode: number | null = null;
    try {
      statusCode = await this.post(subscription, data);
      if (statusCode < 200 || statusCode > 299) throw new Error(`the subscriber answered ${statusCode}`);
    } catch (error) {
      await this.recordAttempt(data, attempt, started, statusCode, (error as Error).message);
      throw error;
    }
    await this.recordAttempt(data, attempt, started, statusCode, null);
  }

  /** POSTs the signed event; answers the receiver's status code. */
  private async post(subscription: Subscription, data: WebhookDeliveryJob): Promise<number> {
    // A malformed traceparent in the job (Redis is input) is not passed on to the receiver.
    const body = JSON.stringify(withoutMalformedPropagation(data.event));
    return postOutbound(this.outbound, subscription.url, {
      headers: {
        'content-type': 'application/json',
        'x-iam-event-id': data.event.id,
        'x-iam-event-type': data.event.type,
        'x-iam-signature': webhookSignature(
          this.cipher.decrypt(
            subscription.secretCiphertext,
            SEALED_COLUMNS.webhookSigningSecret,
            subscription.id,
          ),
          body,
          Math.floor(Date.now() / 1000),
        ),
      },
      body,
      timeoutMs: this.config.WEBHOOK_TIMEOUT_MS,
    }).catch((error: Error) => {
      if (!(error instanceof OutboundAddressRefused)) throw error;
      // The resolved address stays in IAM's log; the tenant's dead letter does not learn internal addresses.
      this.logger.warn({ subscriptionId: subscription.id, err: error.message }, 'webhook receiver refused');
      throw new UnrecoverableError(
        'refused: the receiver resolves to a loopback, private or metadata address',
      );
    });
  }

  /** The attempt in the webhook's delivery history; a failure to record it never fails the delivery. */
  private async recordAttempt(
    data: WebhookDeliveryJob,
    attempt: number,
    started: number,
    statusCode: number | null,
    error: string | null,
  ): Promise<void> {
    await this.webhooks
      .recordDelivery(
        this.dataSource,
        {
          subscriptionId: data.subscriptionId,
          tenantId: data.tenantId,
          eventId: data.event.id,
          eventType: data.event.type,
          attempt,
          statusCode,
          error,
          durationMs: Math.round(performance.now() - started),
        },
        this.config.WEBHOOK_DELIVERY_HISTORY,
      )
      .catch((failure: unknown) =>
        this.logger.warn(
          { subscriptionId: data.subscriptionId, err: String(failure) },
          'delivery not recorded',
        ),
      );
  }

  /** Delivered (or its subscription is gone): the event no longer needs republishing for it. */
  @OnWorkerEvent('completed')
  async onCompleted(job: Job<unknown>): Promise<void> {
    this.metrics.webhookDelivery('delivered');
    if (job.id) await this.stream.release(job.id);
  }

  @OnWorkerEvent('failed')
  async onFailed(job: Job<unknown> | undefined, error: Error): Promise<void> {
    this.metrics.webhookDelivery('failed');
    const final =
      error instanceof UnrecoverableError || (job?.attemptsMade ?? 0) >= (job?.opts.attempts ?? 1);
    if (!job || !final) return;
    if (job.id) await this.stream.release(job.id);
    this.metrics.webhookDeadLettered();
    if (!isWebhookDeliveryJob(job.data)) {
      // No subscription of a tenant to file it under: the log is its only record.
      this.logger.warn({ jobId: job.id, err: error.message }, 'malformed webhook delivery job dropped');
      return;
    }
    const { data } = job;
    this.logger.warn(
      { subscriptionId: data.subscriptionId, eventId: data.event.id, err: error.message },
      'webhook delivery dead-lettered',
    );
    await this.webhooks.recordDeadLetter(this.dataSource, data, job.attemptsMade, error.message);
  }
}
