import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { Job } from 'bullmq';
import { WEBHOOK_DELIVERIES_QUEUE, WebhookDeliveryJob } from '@app/contracts';
import { IamAdminConfig } from '../config/iam-admin.config';
import { SEALED_COLUMNS } from '../crypto/sealed-columns';
import { SecretCipher } from '../crypto/secret-cipher';
import { webhookSignature } from './webhook-signature';
import { WebhooksRepository } from './webhooks.repository';

/** POSTs one event to one subscriber, signed; anything but 2xx is retried with back-off, then dead-lettered. */
@Processor(WEBHOOK_DELIVERIES_QUEUE, { concurrency: 10 })
export class WebhookDeliveryProcessor extends WorkerHost {
  private readonly logger = new Logger(WebhookDeliveryProcessor.name);

  constructor(
    private readonly webhooks: WebhooksRepository,
    private readonly cipher: SecretCipher,
    private readonly config: IamAdminConfig,
  ) {
    super();
  }

  async process(job: Job<WebhookDeliveryJob>): Promise<void> {
    const subscription = await this.webhooks.byId(job.data.subscriptionId);
    if (!subscription) return; // deleted meanwhile: nothing to deliver
    const body = JSON.stringify(job.data.event);
    const response = await fetch(subscription.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-iam-event-id': job.data.event.id,
        'x-iam-event-type': job.data.event.type,
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
      signal: AbortSignal.timeout(this.config.WEBHOOK_TIMEOUT_MS),
    });
    await response.arrayBuffer().catch(() => undefined);
    if (!response.ok) throw new Error(`the subscriber answered ${response.status}`);
  }

  @OnWorkerEvent('failed')
  async onFailed(job: Job<WebhookDeliveryJob> | undefined, error: Error): Promise<void> {
    if (!job || job.attemptsMade < (job.opts.attempts ?? 1)) return;
    this.logger.warn(
      { subscriptionId: job.data.subscriptionId, eventId: job.data.event.id, err: error.message },
      'webhook delivery dead-lettered',
    );
    await this.webhooks.recordDeadLetter(
      job.data.subscriptionId,
      job.data.tenantId,
      job.data.event,
      job.attemptsMade,
      error.message,
    );
  }
}
