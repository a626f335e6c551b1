import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each webhook delivery attempt (event, attempt, status code or error, duration) for operators to
 * see: a bounded history per subscription (the newest WEBHOOK_DELIVERY_HISTORY rows are kept), so
 * it costs one insert and one index-range delete per attempt and never grows. A dead letter keeps
 * the event it could not deliver, so it can be redelivered after the outbox has purged it; and when
 * it was redelivered, so a second redelivery of the same letter is refused.
 */
export class WebhookDeliveries1765100700000 implements MigrationInterface {
  name = 'WebhookDeliveries1765100700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE webhook_deliveries (
        id bigserial PRIMARY KEY,
        subscription_id uuid NOT NULL REFERENCES webhook_subscriptions(id) ON DELETE CASCADE,
        tenant_id uuid NOT NULL,
        event_id uuid NOT NULL,
        event_type text NOT NULL,
        attempt integer NOT NULL,
        status_code integer,
        error text,
        duration_ms integer NOT NULL,
        at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX ix_webhook_deliveries_subscription ON webhook_deliveries (subscription_id, id)`,
    );
    await q.query(
      `ALTER TABLE webhook_dead_letters ADD COLUMN event jsonb, ADD COLUMN redelivered_at timestamptz`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE webhook_dead_letters DROP COLUMN event, DROP COLUMN redelivered_at`);
    await q.query(`DROP TABLE webhook_deliveries`);
  }
}
