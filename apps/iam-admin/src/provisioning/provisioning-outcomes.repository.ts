import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
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
   * Claims a command inside the caller's transaction. A second delivery of the same command waits
   * here until the first commits, then finds the claim taken and gets the recorded outcome back.
   */
  async claim(
    em: EntityManager,
    command: CommandKey,
  ): Promise<{ claimed: true } | { claimed: false; outcome: ProvisioningOutcome }> {
    const rows: unknown[] = await em.query(
      `INSERT INTO provisioning_commands (command_id, tenant_id, name, outcome) VALUES ($1, $2, $3, 'null')
       ON CONFLICT (command_id) DO NOTHING RETURNING command_id`,
      [command.commandId, command.tenantId, command.name],
    );
    if (rows.length > 0) return { claimed: true };
    const recorded: Array<{ outcome: ProvisioningOutcome }> = await em.query(
      `SELECT outcome FROM provisioning_commands WHERE command_id = $1`,
      [command.commandId],
    );
    return { claimed: false, outcome: recorded[0]!.outcome };
  }

  async complete(em: EntityManager, commandId: string, outcome: ProvisioningOutcome): Promise<void> {
    await em.query(`UPDATE provisioning_commands SET outcome = $2 WHERE command_id = $1`, [
      commandId,
      outcome,
    ]);
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

  /** Records a refusal (the command's own transaction rolled back); an earlier record stands. */
  async recordRefusal(
    db: Db,
    command: CommandKey,
    outcome: ProvisioningOutcome,
  ): Promise<ProvisioningOutcome> {
    const rows: Array<{ outcome: ProvisioningOutcome }> = await db.query(
      `INSERT INTO provisioning_commands (command_id, tenant_id, name, outcome) VALUES ($1, $2, $3, $4)
       ON CONFLICT (command_id) DO UPDATE SET command_id = EXCLUDED.command_id RETURNING outcome`,
      [command.commandId, command.tenantId, command.name, outcome],
    );
    return rows[0]!.outcome;
  }
}
