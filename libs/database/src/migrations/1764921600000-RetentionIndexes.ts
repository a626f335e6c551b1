import { MigrationInterface, QueryRunner } from 'typeorm';

export class RetentionIndexes1764921600000 implements MigrationInterface {
  name = 'RetentionIndexes1764921600000';

  async up(q: QueryRunner): Promise<void> {
    // The retention job deletes published outbox rows oldest first, in batches: without this each
    // batch would scan the whole table. (provisioning_commands already has ix_provisioning_commands_applied.)
    await q.query(
      `CREATE INDEX ix_subject_events_published ON subject_events (published_at) WHERE published_at IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_subject_events_published`);
  }
}
