import { isUUID } from 'class-validator';
import { Injectable } from '@nestjs/common';
import { Db, queryPage, returnedRows, RowPage } from '@app/database';

export interface DeadLetterRow {
  id: string;
  commandId: string;
  command: string;
  targetId: string | null;
  attempts: number;
  error: string;
  createdAt: Date;
  /** When an operator marked it handled, and who (an admin principal's subject); null while open. */
  resolvedAt: Date | null;
  resolvedBy: string | null;
}

const COLUMNS = `id, command_id AS "commandId", command, target_id AS "targetId", attempts, error, created_at AS "createdAt",
  resolved_at AS "resolvedAt", resolved_by AS "resolvedBy"`;

/** Owns provisioning_dead_letters: poison commands set aside for operators. */
@Injectable()
export class ProvisioningDeadLettersRepository {
  /** Records a poison command once (a re-delivery keeps the first record); answers its id. */
  async record(
    db: Db,
    letter: {
      id: string;
      commandId: string;
      tenantId: string;
      command: string;
      targetId?: string;
      attempts: number;
      error: string;
    },
  ): Promise<string> {
    const rows: Array<{ id: string }> = await db.query(
      `INSERT INTO provisioning_dead_letters (id, command_id, tenant_id, command, target_id, attempts, error)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (command_id) DO UPDATE SET attempts = EXCLUDED.attempts RETURNING id`,
      [
        letter.id,
        letter.commandId,
        letter.tenantId,
        letter.command,
        letter.targetId ?? null,
        letter.attempts,
        letter.error,
      ],
    );
    return rows[0]!.id;
  }

  /**
   * Marks a dead letter handled, once: answers the letter as it is now, and whether this call
   * resolved it (false: it was resolved before); undefined when the tenant has no such letter.
   */
  async resolve(
    db: Db,
    tenantId: string,
    id: string,
    resolvedBy: string,
  ): Promise<{ letter: DeadLetterRow; resolvedNow: boolean } | undefined> {
    if (!isUUID(id)) return undefined;
    const rows = returnedRows<DeadLetterRow>(
      await db.query(
        `UPDATE provisioning_dead_letters SET resolved_at = now(), resolved_by = $3
        WHERE tenant_id = $1 AND id = $2 AND resolved_at IS NULL RETURNING ${COLUMNS}`,
        [tenantId, id, resolvedBy],
      ),
    );
    if (rows[0]) return { letter: rows[0], resolvedNow: true };
    const before: DeadLetterRow[] = await db.query(
      `SELECT ${COLUMNS} FROM provisioning_dead_letters WHERE tenant_id = $1 AND id = $2`,
      [tenantId, id],
    );
    return before[0] && { letter: before[0], resolvedNow: false };
  }

  page(db: Db, tenantId: string, page: { limit: number; offset: number }): Promise<RowPage<DeadLetterRow>> {
    return queryPage(
      db,
      `SELECT ${COLUMNS} FROM provisioning_dead_letters WHERE tenant_id = $1 ORDER BY created_at DESC, id`,
      `SELECT count(*)::int AS n FROM provisioning_dead_letters WHERE tenant_id = $1`,
      [tenantId],
      page,
    );
  }
}
