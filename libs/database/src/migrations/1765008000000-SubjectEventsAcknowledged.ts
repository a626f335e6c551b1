import { MigrationInterface, QueryRunner } from 'typeorm';

export class SubjectEventsAcknowledged1765008000000 implements MigrationInterface {
  name = 'SubjectEventsAcknowledged1765008000000';

  async up(q: QueryRunner): Promise<void> {
    // The relay's record, kept outside Redis, of the outbox position every consumer group (and every
    // in-flight webhook delivery) had acknowledged. When Redis loses the stream, the relay republishes
    // the outbox rows after it. One row; 0 means nothing is known to be acknowledged yet.
    await q.query(`
      CREATE TABLE subject_events_acknowledged (
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        position bigint NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`INSERT INTO subject_events_acknowledged (position) VALUES (0)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE subject_events_acknowledged`);
  }
}
