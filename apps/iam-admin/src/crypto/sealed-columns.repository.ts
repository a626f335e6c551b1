import { EntityManager } from 'typeorm';
import { SealedColumn } from './sealed-columns';

/**
 * SQL over any sealed column (SEALED_COLUMNS names the table, column and row id), for re-encryption
 * only: each table's own repository owns its rows otherwise. Table and column names come from that
 * constant, never from input.
 */
export class SealedColumnsRepository {
  /** The next batch of sealed values after `after` (by row id), row-locked until the transaction ends. */
  lockBatch(
    em: EntityManager,
    { table, column, idColumn }: SealedColumn,
    after: string,
    limit: number,
  ): Promise<Array<{ id: string; sealed: string }>> {
    return em.query(
      `SELECT ${idColumn}::text AS id, ${column} AS sealed FROM ${table}
        WHERE ${column} IS NOT NULL AND ${idColumn}::text > $1
        ORDER BY ${idColumn}::text LIMIT ${Number(limit)} FOR UPDATE`,
      [after],
    );
  }

  async write(
    em: EntityManager,
    { table, column, idColumn }: SealedColumn,
    id: string,
    sealed: string,
  ): Promise<void> {
    await em.query(`UPDATE ${table} SET ${column} = $1 WHERE ${idColumn}::text = $2`, [sealed, id]);
  }
}
