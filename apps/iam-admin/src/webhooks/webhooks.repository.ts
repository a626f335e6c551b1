import { isUUID } from 'class-validator';
import { Injectable } from '@nestjs/common';
import { WebhookDeliveryJob } from '@app/contracts';
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
  id: string;
  eventId: string;
  eventType: string;
  attempts: number;
  lastError: string;
  failedAt: Date;
  /** Put back on the delivery queue by an operator (null: not yet, or it failed for good again since). */
  redeliveredAt: Date | null;
}

/** One attempt to deliver an event to a subscriber: its status code, or the error when there was none. */
export interface DeliveryAttempt {
  eventId: string;
  eventType: string;
  attempt: number;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

export interface DeliveryRow extends DeliveryAttempt {
  at: Date;
}

/** A dead letter taken for redelivery: the event as it was to be delivered (null for letters older than that column). */
export interface RedeliverableLetter {
  eventId: string;
  event: WebhookDeliveryJob['event'] | null;
}

const COLUMNS = `id, url, event_types AS "eventTypes", created_at AS "createdAt"`;
const SUBSCRIPTION_COLUMNS = `${COLUMNS}, secret_ciphertext AS "secretCiphertext"`;

/** The one owner of webhook_subscriptions, webhook_deliveries and webhook_dead_letters, tenant-scoped. */
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

  /**
   * Records (or updates) a delivery that failed for good, with its event (so it can be redelivered);
   * a letter redelivered before is open again. Nothing once the subscription is gone.
   */
  async recordDeadLetter(
    db: Db,
    letter: { subscriptionId: string; tenantId: string; event: WebhookDeliveryJob['event'] },
    attempts: number,
    lastError: string,
  ): Promise<void> {
    const { subscriptionId, tenantId, event } = letter;
    await db.query(
      `INSERT INTO webhook_dead_letters (subscription_id, tenant_id, event_id, event_type, attempts, last_error, event)
       SELECT $1, $2, $3, $4, $5, $6, $7
        WHERE EXISTS (SELECT 1 FROM webhook_subscriptions WHERE id = $1 AND tenant_id = $2)
       ON CONFLICT (subscription_id, event_id) DO UPDATE SET attempts = EXCLUDED.attempts,
          last_error = EXCLUDED.last_error, event = EXCLUDED.event, failed_at = now(), redelivered_at = NULL`,
      [subscriptionId, tenantId, event.id, event.type, attempts, lastError.slice(0, 1000), event],
    );
  }

  deadLetters(
    db: Db,
    tenantId: string,
    subscriptionId: string,
    page: { limit: number; offset: number },
  ): Promise<DeadLetterRow[]> {
    return db.query(
      `SELECT id::text, event_id AS "eventId", event_type AS "eventType", attempts, last_error AS "lastError",
              failed_at AS "failedAt", redelivered_at AS "redeliveredAt"
         FROM webhook_dead_letters WHERE tenant_id = $1 AND subscription_id = $2 ORDER BY failed_at DESC, id DESC LIMIT $3 OFFSET $4`,
      [tenantId, subscriptionId, page.limit, page.offset],
    );
  }

  /** The dead letter, locked until the transaction ends (so two redeliveries of it are one after the other). */
  async lockDeadLetter(
    db: Db,
    tenantId: string,
    subscriptionId: string,
    id: string,
  ): Promise<(RedeliverableLetter & { redeliveredAt: Date | null }) | undefined> {
    if (!/^[0-9]{1,18}$/.test(id)) return undefined;
    const rows: Array<RedeliverableLetter & { redeliveredAt: Date | null }> = await db.query(
      `SELECT event_id AS "eventId", event, redelivered_at AS "redeliveredAt" FROM webhook_dead_letters
        WHERE tenant_id = $1 AND subscription_id = $2 AND id = $3 FOR UPDATE`,
      [tenantId, subscriptionId, id],
    );
    return rows[0];
  }

  /** Deletes up to `limit` dead letters that failed before `before` (they hold the event); returns how many. */
  async purgeDeadLettersBefore(db: Db, before: Date, limit: number): Promise<number> {
    const [, deleted]: [unknown, number] = await db.query(
      `DELETE FROM webhook_dead_letters WHERE id IN (
         SELECT id FROM webhook_dead_letters WHERE failed_at < $1 LIMIT $2)`,
      [before, limit],
    );
    return deleted;
  }

  async markRedelivered(db: Db, id: string): Promise<void> {
    await db.query(`UPDATE webhook_dead_letters SET redelivered_at = now() WHERE id = $1`, [id]);
  }

  /**
   * One delivery attempt, then the subscription's history trimmed to its newest `keep` rows (one
   * index range each); nothing once the subscription is gone.
   */
  async recordDelivery(
    db: Db,
    delivery: { subscriptionId: string; tenantId: string } & DeliveryAttempt,
    keep: number,
  ): Promise<void> {
    const { subscriptionId, tenantId, eventId, eventType, attempt, statusCode, error, durationMs } = delivery;
    await db.query(
      `INSERT INTO webhook_deliveries (subscription_id, tenant_id, event_id, event_type, attempt, status_code, error, duration_ms)
       SELECT $1, $2, $3, $4, $5, $6, $7, $8
        WHERE EXISTS (SELECT 1 FROM webhook_subscriptions WHERE id = $1 AND tenant_id = $2)`,
      [
        subscriptionId,
        tenantId,
        eventId,
        eventType,
        attempt,
        statusCode,
        error?.slice(0, 1000) ?? null,
        durationMs,
      ],
    );
    await db.query(
      `DELETE FROM webhook_deliveries WHERE subscription_id = $1 AND id <= (
         SELECT id FROM webhook_deliveries WHERE subscription_id = $1 ORDER BY id DESC OFFSET $2 LIMIT 1)`,
      [subscriptionId, keep],
    );
  }

  /** The subscription's recent delivery attempts, newest first. */
  deliveries(
    db: Db,
    tenantId: string,
    subscriptionId: string,
    page: { limit: number; offset: number },
  ): Promise<DeliveryRow[]> {
    return db.query(
      `SELECT event_id AS "eventId", event_type AS "eventType", attempt, status_code AS "statusCode", error,
              duration_ms AS "durationMs", at
         FROM webhook_deliveries WHERE tenant_id = $1 AND subscription_id = $2 ORDER BY id DESC LIMIT $3 OFFSET $4`,
      [tenantId, subscriptionId, page.limit, page.offset],
    );
  }
}
