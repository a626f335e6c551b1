import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Job, UnrecoverableError } from 'bullmq';
import { DataSource } from 'typeorm';
import { isWebhookDeliveryJob, WEBHOOK_DELIVERIES_QUEUE, webhookDeliveryJobProblems } from '@app/contracts';
import { OutboundAddressPolicy, OutboundAddressRefused, postOutbound } from '@app/platform';
import { IamAdminConfig } from '../config/iam-admin.config';
import { SEALED_COLUMNS } from '../crypto/sealed-columns';
import { SecretCipher } from '../crypto/secret-cipher';
import { webhookSignature } from './webhook-signature';
import { WebhooksRepository } from './webhooks.repository';

/**
 * POSTs one event to one subscriber, signed; anything but 2xx (a redirect included: it is not
 * followed) is retried with back-off, then dead-lettered. A receiver whose address the outbound
 * policy refuses is dead-lettered at once: retrying would not make it public. A job is checked
 * first (Redis is input too): a malformed one is failed for good, and only logged.
 */
@Processor(WEBHOOK_DELIVERIES_QUEUE, { concurrency: 10 })
export class WebhookDeliveryProcessor extends WorkerHost {
  private readonly logger = new Logger(WebhookDeliveryProcessor.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly webhooks: WebhooksRepository,
    private readonly cipher: SecretCipher,
    private readonly config: IamAdminConfig,
    private readonly outbound: OutboundAddressPolicy,
  ) {
    super();
  }

  async process(job: Job<unknown>): Promise<void> {
    const { data } = job;
    if (!isWebhookDeliveryJob(data)) {
      throw new UnrecoverableError(
        `malformed webhook delivery job: ${webhookDeliveryJobProblems(data).join('; ')}`,
      );
    }
    const subscription = await this.webhooks.find(this.dataSource, data.tenantId, data.subscriptionId);
    if (!subscription) return; // deleted meanwhile: nothing to deliver
    const body = JSON.stringify(data.event);
    const status = await postOutbound(this.outbound, subscription.url, {
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
    if (status < 200 || status > 299) throw new Error(`the subscriber answered ${status}`);
  }

  @OnWorkerEvent('failed')
  async onFailed(job: Job<unknown> | undefined, error: Error): Promise<void> {
    const final =
      error instanceof UnrecoverableError || (job?.attemptsMade ?? 0) >= (job?.opts.attempts ?? 1);
    if (!job || !final) return;
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
