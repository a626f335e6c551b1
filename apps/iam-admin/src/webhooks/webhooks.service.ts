import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { generateBearerSecret } from '@app/platform';
import { IamAdminConfig } from '../config/iam-admin.config';
import { randomUUID } from 'node:crypto';
import { SEALED_COLUMNS } from '../crypto/sealed-columns';
import { SecretCipher } from '../crypto/secret-cipher';
import {
  WebhookCreateDto,
  WebhookCreateResponseDto,
  WebhookDeadLetterDto,
  WebhookResponseDto,
} from './webhook.dto';
import { WebhooksRepository } from './webhooks.repository';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

@Injectable()
export class WebhooksService {
  constructor(
    private readonly webhooks: WebhooksRepository,
    private readonly cipher: SecretCipher,
    private readonly config: IamAdminConfig,
  ) {}

  /** The signing secret is returned once; IAM keeps it sealed (it must sign with it, so it cannot keep a hash). */
  async create(tenantId: string, dto: WebhookCreateDto): Promise<WebhookCreateResponseDto> {
    const url = new URL(dto.url);
    if (url.protocol === 'http:' && (this.config.NODE_ENV === 'production' || !LOOPBACK.has(url.hostname))) {
      throw new BadRequestException({
        statusCode: 400,
        error: 'Bad Request',
        message: 'url: webhooks need https (http only to a loopback host outside production)',
        errors: [{ field: 'url', message: 'https required' }],
      });
    }
    const secret = generateBearerSecret('whsec_');
    // The id is chosen here so the sealed secret can be bound to its row.
    const id = randomUUID();
    const created = await this.webhooks.create(
      id,
      tenantId,
      dto.url,
      dto.eventTypes ?? [],
      this.cipher.encrypt(secret, SEALED_COLUMNS.webhookSigningSecret, id),
    );
    return { ...created, secret };
  }

  list(tenantId: string): Promise<WebhookResponseDto[]> {
    return this.webhooks.list(tenantId);
  }

  async delete(tenantId: string, id: string): Promise<void> {
    if (!(await this.webhooks.delete(tenantId, id)))
      throw new NotFoundException(`webhook ${id} does not exist`);
  }

  async deadLetters(
    tenantId: string,
    id: string,
    limit: number,
    offset: number,
  ): Promise<WebhookDeadLetterDto[]> {
    if (!(await this.webhooks.exists(tenantId, id)))
      throw new NotFoundException(`webhook ${id} does not exist`);
    return this.webhooks.deadLetters(tenantId, id, limit, offset);
  }
}
