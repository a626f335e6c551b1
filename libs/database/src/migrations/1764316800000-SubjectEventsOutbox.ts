import { MigrationInterface, QueryRunner } from 'typeorm';

export class SubjectEventsOutbox1764316800000 implements MigrationInterface {
  name = 'SubjectEventsOutbox1764316800000';

  async up(q: QueryRunner): Promise<void> {
    // The transactional outbox: rows written in the same transaction as the change they describe.
    await q.query(`
      CREATE TABLE subject_events (
        position bigserial PRIMARY KEY,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL,
        aggregate_id uuid NOT NULL,
        sequence bigint NOT NULL,
        event jsonb NOT NULL,
        occurred_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        published_at timestamptz,
        CONSTRAINT uq_subject_events_id UNIQUE (id),
        CONSTRAINT uq_subject_events_sequence UNIQUE (aggregate_id, sequence)
      )`);
    await q.query(
      `CREATE INDEX ix_subject_events_unpublished ON subject_events (position) WHERE published_at IS NULL`,
    );
    // Per-aggregate counters; the row lock taken by the upsert orders concurrent writers of one subject.
    await q.query(`
      CREATE TABLE event_sequences (
        aggregate_id uuid PRIMARY KEY,
        last bigint NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE event_sequences`);
    await q.query(`DROP TABLE subject_events`);
  }
}
