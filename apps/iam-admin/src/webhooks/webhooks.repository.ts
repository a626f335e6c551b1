import { isUUID } from 'class-validator';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { returnedRows } from '@app/database';
import { WebhookDeadLetterDto, WebhookResponseDto } from './webhook.dto';

const COLUMNS = `id, url, event_types AS "eventTypes", created_at AS "createdAt"`;

export interface Subscription extends WebhookResponseDto {
  secretCiphertext: string;
}

/** Webhook subscriptions and their dead letters, tenant-scoped. */
@Injectable()
export class WebhooksRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async create(
    id: string,
    tenantId: string,
    url: string,
    eventTypes: string[],
    secretCiphertext: string,
  ): Promise<WebhookResponseDto> {
    const rows = await this.dataSource.query(
      `INSERT INTO webhook_subscriptions (id, tenant_id, url, event_types, secret_ciphertext) VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`,
      [id, tenantId, url, eventTypes, secretCiphertext],
    );
    return rows[0];
  }

  list(tenantId: string): Promise<WebhookResponseDto[]> {
    return this.dataSource.query(
      `SELECT ${COLUMNS} FROM webhook_subscriptions WHERE tenant_id = $1 ORDER BY created_at`,
      [tenantId],
    );
  }

  async exists(tenantId: string, id: string): Promise<boolean> {
    if (!isUUID(id)) return false;
    const rows = await this.dataSource.query(
      `SELECT 1 FROM webhook_subscriptions WHERE tenant_id = $1 AND id = $2`,
      [tenantId, id],
    );
    return rows.length > 0;
  }

  async delete(tenantId: string, id: string): Promise<boolean> {
    if (!isUUID(id)) return false;
    const result = await this.dataSource.query(
      `DELETE FROM webhook_subscriptions WHERE tenant_id = $1 AND id = $2 RETURNING id`,
      [tenantId, id],
    );
    return returnedRows(result).length > 0;
  }

  /** Every subscription of a tenant, with the sealed secret (for the dispatcher and the sender). */
  forTenant(tenantId: string): Promise<Subscription[]> {
    return this.dataSource.query(
      `SELECT ${COLUMNS}, secret_ciphertext AS "secretCiphertext" FROM webhook_subscriptions WHERE tenant_id = $1`,
      [tenantId],
    );
  }

  async byId(id: string): Promise<Subscription | undefined> {
    const rows = await this.dataSource.query(
      `SELECT ${COLUMNS}, secret_ciphertext AS "secretCiphertext" FROM webhook_subscriptions WHERE id = $1`,
      [id],
    );
    return rows[0];
  }

  async recordDeadLetter(
    subscriptionId: string,
    tenantId: string,
    event: { id: string; type: string },
    attempts: number,
    lastError: string,
  ): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO webhook_dead_letters (subscription_id, tenant_id, event_id, event_type, attempts, last_error)
       SELECT $1, $2, $3, $4, $5, $6 WHERE EXISTS (SELECT 1 FROM webhook_subscriptions WHERE id = $1)
       ON CONFLICT (subscription_id, event_id) DO UPDATE SET attempts = EXCLUDED.attempts, last_error = EXCLUDED.last_error, failed_at = now()`,
      [subscriptionId, tenantId, event.id, event.type, attempts, lastError.slice(0, 1000)],
    );
  }

  deadLetters(
    tenantId: string,
    subscriptionId: string,
    limit: number,
    offset: number,
  ): Promise<WebhookDeadLetterDto[]> {
    return this.dataSource.query(
      `SELECT event_id AS "eventId", event_type AS "eventType", attempts, last_error AS "lastError", failed_at AS "failedAt"
         FROM webhook_dead_letters WHERE tenant_id = $1 AND subscription_id = $2 ORDER BY failed_at DESC LIMIT $3 OFFSET $4`,
      [tenantId, subscriptionId, limit, offset],
    );
  }
}
