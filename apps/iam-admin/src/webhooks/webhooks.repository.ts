import { isUUID } from 'class-validator';
import { Injectable } from '@nestjs/common';
import { Db, returnedRows } from '@app/database';

/** A webhook subscription as the API shows it. */
export interface WebhookRow {
  id: string;
  url: string;
  eventTypes: string[];
  createdAt: Date;
}

/** A subscription with its sealed signing secret (for the dispatcher and the sender only). */
export interface Subscription extends WebhookRow {
  secretCiphertext: string;
}

export interface DeadLetterRow {
  eventId: string;
  eventType: string;
  attempts: number;
  lastError: string;
  failedAt: Date;
}

const COLUMNS = `id, url, event_types AS "eventTypes", created_at AS "createdAt"`;
const SUBSCRIPTION_COLUMNS = `${COLUMNS}, secret_ciphertext AS "secretCiphertext"`;

/** The one owner of webhook_subscriptions and webhook_dead_letters, tenant-scoped. */
@Injectable()
export class WebhooksRepository {
  async create(
    db: Db,
    subscription: {
      id: string;
      tenantId: string;
      url: string;
      eventTypes: string[];
      secretCiphertext: string;
    },
  ): Promise<WebhookRow> {
    const { id, tenantId, url, eventTypes, secretCiphertext } = subscription;
    const rows: WebhookRow[] = await db.query(
      `INSERT INTO webhook_subscriptions (id, tenant_id, url, event_types, secret_ciphertext)
       VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`,
      [id, tenantId, url, eventTypes, secretCiphertext],
    );
    return rows[0]!;
  }

  list(db: Db, tenantId: string): Promise<WebhookRow[]> {
    return db.query(`SELECT ${COLUMNS} FROM webhook_subscriptions WHERE tenant_id = $1 ORDER BY created_at`, [
      tenantId,
    ]);
  }

  async exists(db: Db, tenantId: string, id: string): Promise<boolean> {
    if (!isUUID(id)) return false;
    const rows: unknown[] = await db.query(
      `SELECT 1 FROM webhook_subscriptions WHERE tenant_id = $1 AND id = $2`,
      [tenantId, id],
    );
    return rows.length > 0;
  }

  async delete(db: Db, tenantId: string, id: string): Promise<boolean> {
    if (!isUUID(id)) return false;
    const result = await db.query(
      `DELETE FROM webhook_subscriptions WHERE tenant_id = $1 AND id = $2 RETURNING id`,
      [tenantId, id],
    );
    return returnedRows(result).length > 0;
  }

  /** Every subscription of a tenant, with the sealed secret. */
  forTenant(db: Db, tenantId: string): Promise<Subscription[]> {
    return db.query(`SELECT ${SUBSCRIPTION_COLUMNS} FROM webhook_subscriptions WHERE tenant_id = $1`, [
      tenantId,
    ]);
  }

  async find(db: Db, tenantId: string, id: string): Promise<Subscription | undefined> {
    if (!isUUID(id)) return undefined;
    const rows: Subscription[] = await db.query(
      `SELECT ${SUBSCRIPTION_COLUMNS} FROM webhook_subscriptions WHERE tenant_id = $1 AND id = $2`,
      [tenantId, id],
    );
    return rows[0];
  }

  /** Records (or updates) a delivery that failed for good; nothing once the subscription is gone. */
  async recordDeadLetter(
    db: Db,
    letter: { subscriptionId: string; tenantId: string; event: { id: string; type: string } },
    attempts: number,
    lastError: string,
  ): Promise<void> {
    const { subscriptionId, tenantId, event } = letter;
    await db.query(
      `INSERT INTO webhook_dead_letters (subscription_id, tenant_id, event_id, event_type, attempts, last_error)
       SELECT $1, $2, $3, $4, $5, $6
        WHERE EXISTS (SELECT 1 FROM webhook_subscriptions WHERE id = $1 AND tenant_id = $2)
       ON CONFLICT (subscription_id, event_id) DO UPDATE SET attempts = EXCLUDED.attempts, last_error = EXCLUDED.last_error, failed_at = now()`,
      [subscriptionId, tenantId, event.id, event.type, attempts, lastError.slice(0, 1000)],
    );
  }

  deadLetters(
    db: Db,
    tenantId: string,
    subscriptionId: string,
    page: { limit: number; offset: number },
  ): Promise<DeadLetterRow[]> {
    return db.query(
      `SELECT event_id AS "eventId", event_type AS "eventType", attempts, last_error AS "lastError", failed_at AS "failedAt"
         FROM webhook_dead_letters WHERE tenant_id = $1 AND subscription_id = $2 ORDER BY failed_at DESC LIMIT $3 OFFSET $4`,
      [tenantId, subscriptionId, page.limit, page.offset],
    );
  }
}
