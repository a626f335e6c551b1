import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { generateBearerSecret, OutboundAddressPolicy } from '@app/platform';
import { SEALED_COLUMNS } from '../crypto/sealed-columns';
import { SecretCipher } from '../crypto/secret-cipher';
import { assertOutboundUrl } from '../outbound/outbound-url';
import {
  WebhookCreateDto,
  WebhookCreateResponseDto,
  WebhookDeadLetterDto,
  WebhookResponseDto,
} from './webhook.dto';
import { WebhooksRepository } from './webhooks.repository';

@Injectable()
export class WebhooksService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly webhooks: WebhooksRepository,
    private readonly cipher: SecretCipher,
    private readonly outbound: OutboundAddressPolicy,
  ) {}

  /** The signing secret is returned once; IAM keeps it sealed (it must sign with it, so it cannot keep a hash). */
  async create(tenantId: string, dto: WebhookCreateDto): Promise<WebhookCreateResponseDto> {
    assertOutboundUrl(this.outbound, 'url', dto.url);
    const secret = generateBearerSecret('whsec_');
    // The id is chosen here so the sealed secret can be bound to its row.
    const id = randomUUID();
    const created = await this.webhooks.create(this.dataSource, {
      id,
      tenantId,
      url: dto.url,
      eventTypes: dto.eventTypes ?? [],
      secretCiphertext: this.cipher.encrypt(secret, SEALED_COLUMNS.webhookSigningSecret, id),
    });
    return { ...created, secret };
  }

  list(tenantId: string): Promise<WebhookResponseDto[]> {
    return this.webhooks.list(this.dataSource, tenantId);
  }

  async delete(tenantId: string, id: string): Promise<void> {
    if (!(await this.webhooks.delete(this.dataSource, tenantId, id)))
      throw new NotFoundException(`webhook ${id} does not exist`);
  }

  async deadLetters(
    tenantId: string,
    id: string,
    page: { limit: number; offset: number },
  ): Promise<WebhookDeadLetterDto[]> {
    if (!(await this.webhooks.exists(this.dataSource, tenantId, id)))
      throw new NotFoundException(`webhook ${id} does not exist`);
    return this.webhooks.deadLetters(this.dataSource, tenantId, id, page);
  }
}
