import { DataSource } from 'typeorm';

/** Arbitrary but fixed: every instance of the IAM service contends for the same lock. */
const MIGRATION_LOCK_KEY = 76_437_644;

/**
 * Runs pending migrations while holding a Postgres advisory lock, so that several IAM instances
 * starting together migrate once and the others wait instead of racing on DDL.
 */
export async function runMigrationsWithLock(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await runner.release();
  }
}
