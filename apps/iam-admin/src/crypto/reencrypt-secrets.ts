import { DataSource } from 'typeorm';
import { SEALED_COLUMNS, SealedColumn } from './sealed-columns';
import { SealedColumnsRepository } from './sealed-columns.repository';
import { SecretCipher } from './secret-cipher';

const BATCH = 100;

export interface ReencryptionCount {
  column: string;
  rewritten: number;
  alreadyCurrent: number;
}

/**
 * Rewrites every sealed secret that is not yet under the current key (or still in the v1 format)
 * with the current key, batch by batch, each batch in its own transaction with its rows locked so
 * a concurrent edit is neither lost nor overwritten. Idempotent: a second run rewrites nothing, and
 * a run stopped half-way is finished by the next. A secret that does not open stops the run,
 * naming its row; nothing is ever written that was not first decrypted.
 */
export async function reencryptSecrets(
  dataSource: DataSource,
  cipher: SecretCipher,
): Promise<ReencryptionCount[]> {
  const counts: ReencryptionCount[] = [];
  for (const column of Object.values(SEALED_COLUMNS))
    counts.push(await reencryptColumn(dataSource, cipher, column));
  return counts;
}

async function reencryptColumn(
  dataSource: DataSource,
  cipher: SecretCipher,
  column: SealedColumn,
): Promise<ReencryptionCount> {
  const sealedColumns = new SealedColumnsRepository();
  const count = { column: `${column.table}.${column.column}`, rewritten: 0, alreadyCurrent: 0 };
  let after = '';
  for (;;) {
    const rows = await dataSource.transaction(async (em) => {
      const batch = await sealedColumns.lockBatch(em, column, after, BATCH);
      for (const row of batch) {
        if (cipher.isCurrent(row.sealed)) {
          count.alreadyCurrent++;
          continue;
        }
        const resealed = cipher.encrypt(cipher.decrypt(row.sealed, column, row.id), column, row.id);
        await sealedColumns.write(em, column, row.id, resealed);
        count.rewritten++;
      }
      return batch;
    });
    if (rows.length < BATCH) return count;
    after = rows[rows.length - 1]!.id;
  }
}
