import { Injectable } from '@nestjs/common';
import { ProvisioningOutcome } from '@app/contracts';
import { Db } from '@app/database';

interface CommandKey {
  commandId: string;
  tenantId: string;
  name: string;
}

/** What each applied command produced, by command id: the record that makes retries idempotent. */
@Injectable()
export class ProvisioningOutcomesRepository {
  /**
   * Records an applied command's outcome inside the change's transaction, unless another delivery of
   * the command recorded one first: then nothing is written and false is answered (the caller undoes
   * its change and answers the recorded outcome). A delivery still in flight elsewhere makes this
   * wait until it commits or rolls back.
   */
  async record(db: Db, command: CommandKey, outcome: ProvisioningOutcome): Promise<boolean> {
    const rows: unknown[] = await db.query(
      `INSERT INTO provisioning_commands (command_id, tenant_id, name, outcome) VALUES ($1, $2, $3, $4)
       ON CONFLICT (command_id) DO NOTHING RETURNING command_id`,
      [command.commandId, command.tenantId, command.name, outcome],
    );
    return rows.length > 0;
  }

  /** The outcome recorded for a command, if any. */
  async recorded(db: Db, commandId: string): Promise<ProvisioningOutcome | undefined> {
    const rows: Array<{ outcome: ProvisioningOutcome }> = await db.query(
      `SELECT outcome FROM provisioning_commands WHERE command_id = $1`,
      [commandId],
    );
    return rows[0]?.outcome;
  }

  /** Retention: deletes up to `limit` outcomes applied before `before`, oldest first; answers how many. */
  async purgeAppliedBefore(db: Db, before: Date, limit: number): Promise<number> {
    const [, deleted]: [unknown, number] = await db.query(
      `DELETE FROM provisioning_commands WHERE command_id IN (
         SELECT command_id FROM provisioning_commands WHERE applied_at < $1 ORDER BY applied_at LIMIT $2)`,
      [before, limit],
    );
    return deleted;
  }
}
