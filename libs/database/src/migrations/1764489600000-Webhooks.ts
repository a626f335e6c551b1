import { MigrationInterface, QueryRunner } from 'typeorm';

export class Webhooks1764489600000 implements MigrationInterface {
  name = 'Webhooks1764489600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE webhook_subscriptions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id),
        url text NOT NULL,
        secret_ciphertext text NOT NULL,
        event_types text[] NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX ix_webhook_subscriptions_tenant ON webhook_subscriptions (tenant_id)`);
    // Deliveries that failed every attempt, kept for operators to see (and replay from the stream).
    await q.query(`
      CREATE TABLE webhook_dead_letters (
        id bigserial PRIMARY KEY,
        subscription_id uuid NOT NULL REFERENCES webhook_subscriptions(id) ON DELETE CASCADE,
        tenant_id uuid NOT NULL,
        event_id uuid NOT NULL,
        event_type text NOT NULL,
        attempts integer NOT NULL,
        last_error text NOT NULL,
        failed_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_webhook_dead_letters UNIQUE (subscription_id, event_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE webhook_dead_letters`);
    await q.query(`DROP TABLE webhook_subscriptions`);
  }
}
