import { DataSource, EntityManager } from 'typeorm';

/**
 * What a repository method runs its SQL on: the DataSource (its own implicit transaction) or the
 * EntityManager of the caller's transaction. Repositories hold no connection of their own, so the
 * caller always decides, at the call, whether a statement belongs to a larger unit of work.
 */
export type Db = DataSource | EntityManager;

/** One page of rows and how many there are in all. */
export interface RowPage<T> {
  total: number;
  items: T[];
}

/**
 * Runs a page query and its count together. `select` must not carry LIMIT/OFFSET (they are added
 * as the next two parameters); `count` must answer one row with an integer column `n`.
 */
export async function queryPage<T>(
  db: Db,
  select: string,
  count: string,
  params: unknown[],
  page: { limit: number; offset: number },
): Promise<RowPage<T>> {
  const n = params.length;
  const [items, totals] = await Promise.all([
    db.query(`${select} LIMIT $${n + 1} OFFSET $${n + 2}`, [...params, page.limit, page.offset]),
    db.query(count, params),
  ]);
  return { total: Number(totals[0].n), items: items as T[] };
}
