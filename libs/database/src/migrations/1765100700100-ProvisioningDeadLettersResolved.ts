import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An operator marks a provisioning dead letter handled (it keeps no command document, so it cannot
 * be re-applied; and its command id's outcome is a recorded final 500, so a re-delivery would be
 * answered, not applied): when, and by whom (the admin principal's subject, never a secret).
 */
export class ProvisioningDeadLettersResolved1765100700100 implements MigrationInterface {
  name = 'ProvisioningDeadLettersResolved1765100700100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE provisioning_dead_letters ADD COLUMN resolved_at timestamptz, ADD COLUMN resolved_by text`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE provisioning_dead_letters DROP COLUMN resolved_at, DROP COLUMN resolved_by`);
  }
}
