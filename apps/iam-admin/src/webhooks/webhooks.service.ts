import { InjectQueue } from '@nestjs/bullmq';
import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { WEBHOOK_DELIVERIES_QUEUE, WebhookDeliveryJob } from '@app/contracts';
import { generateBearerSecret, OutboundAddressPolicy } from '@app/platform';
import { SEALED_COLUMNS } from '../crypto/sealed-columns';
import { IamAdminConfig } from '../config/iam-admin.config';
import { SecretCipher } from '../crypto/secret-cipher';
import { assertOutboundUrl } from '../outbound/outbound-url';
import { TenantConfigCacheService } from '../tenant-config-cache/tenant-config-cache.service';
import {
  WebhookCreateDto,
  WebhookCreateResponseDto,
  WebhookDeadLetterDto,
  WebhookDeliveryDto,
  WebhookResponseDto,
} from './webhook.dto';
import { deliveryJob } from './webhook-dispatcher.service';
import { WebhooksRepository } from './webhooks.repository';

type PageWindow = { limit: number; offset: number };

@Injectable()
export class WebhooksService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly webhooks: WebhooksRepository,
    private readonly cipher: SecretCipher,
    private readonly outbound: OutboundAddressPolicy,
    private readonly config: IamAdminConfig,
    @InjectQueue(WEBHOOK_DELIVERIES_QUEUE) private readonly queue: Queue<WebhookDeliveryJob>,
    private readonly tenantConfig: TenantConfigCacheService,
  ) {}

  /**
   * The signing secret is returned once; IAM keeps it sealed (it must sign with it, so it cannot keep
   * a hash). Subscriptions are announced to every instance's dispatcher cache as they commit.
   */
  async create(tenantId: string, dto: WebhookCreateDto): Promise<WebhookCreateResponseDto> {
    assertOutboundUrl(this.outbound, 'url', dto.url);
    const secret = generateBearerSecret('whsec_');
    // The id is chosen here so the sealed secret can be bound to its row.
    const id = randomUUID();
    const created = await this.tenantConfig.change(tenantId, (em) =>
      this.webhooks.create(em, {
        id,
        tenantId,
        url: dto.url,
        eventTypes: dto.eventTypes ?? [],
        secretCiphertext: this.cipher.encrypt(secret, SEALED_COLUMNS.webhookSigningSecret, id),
      }),
    );
    return { ...created, secret };
  }

  list(tenantId: string): Promise<WebhookResponseDto[]> {
    return this.webhooks.list(this.dataSource, tenantId);
  }

  async delete(tenantId: string, id: string): Promise<void> {
    await this.tenantConfig.change(tenantId, async (em) => {
      if (!(await this.webhooks.delete(em, tenantId, id)))
        throw new NotFoundException(`webhook ${id} does not exist`);
    });
  }

  async deadLetters(tenantId: string, id: string, page: PageWindow): Promise<WebhookDeadLetterDto[]> {
    await this.requireWebhook(tenantId, id);
    return this.webhooks.deadLetters(this.dataSource, tenantId, id, page);
  }

  async deliveries(tenantId: string, id: string, page: PageWindow): Promise<WebhookDeliveryDto[]> {
    await this.requireWebhook(tenantId, id);
    return this.webhooks.deliveries(this.dataSource, tenantId, id, page);
  }

  /**
   * Puts a dead letter's event back on the delivery queue, as a new delivery with every attempt,
   * and marks the letter redelivered in the same transaction (the letter is locked meanwhile), so
   * two calls queue it once: the second is a 409. If it fails for good again, the letter opens again.
   */
  async redeliver(tenantId: string, id: string, deadLetterId: string): Promise<void> {
    await this.requireWebhook(tenantId, id);
    await this.dataSource.transaction(async (em) => {
      const letter = await this.webhooks.lockDeadLetter(em, tenantId, id, deadLetterId);
      if (!letter) throw new NotFoundException(`dead letter ${deadLetterId} of webhook ${id} does not exist`);
      if (letter.redeliveredAt)
        throw new ConflictException(
          `dead letter ${deadLetterId} was redelivered at ${letter.redeliveredAt.toISOString()}; it is listed again if that delivery fails too`,
        );
      if (!letter.event)
        throw new ConflictException(
          `dead letter ${deadLetterId} was recorded before IAM kept the event with it: it cannot be redelivered`,
        );
      const job = deliveryJob(this.config, { subscriptionId: id, tenantId, event: letter.event });
      await this.webhooks.markRedelivered(em, deadLetterId);
      // A job id of its own: the failed job keeps its id until BullMQ drops it (a new job under that id
      // would be ignored), and the worker may still be finishing it (removing it then breaks the worker).
      await this.queue.add(job.name, job.data, { ...job.opts, jobId: `${job.opts.jobId}_r${Date.now()}` });
    });
  }

  private async requireWebhook(tenantId: string, id: string): Promise<void> {
    if (!(await this.webhooks.exists(this.dataSource, tenantId, id)))
      throw new NotFoundException(`webhook ${id} does not exist`);
  }
}
