import { MigrationInterface, QueryRunner } from 'typeorm';

export class SubjectEventsLastPublished1765100500000 implements MigrationInterface {
  name = 'SubjectEventsLastPublished1765100500000';

  async up(q: QueryRunner): Promise<void> {
    // The outbox position the relay appended last to the stream (the stream's newest entry must
    // hold it): one row read per relay batch instead of a scan past every unpublished row.
    await q.query(`ALTER TABLE subject_events_acknowledged ADD COLUMN last_published bigint`);
    await q.query(
      `UPDATE subject_events_acknowledged
          SET last_published = (SELECT max(position) FROM subject_events WHERE published_at IS NOT NULL)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE subject_events_acknowledged DROP COLUMN last_published`);
  }
}
