import { DataSource, MigrationExecutor } from 'typeorm';

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
    // The pool's statement_timeout is for requests: waiting for the lock and building an index on
    // a large table may take longer. The migrations run on this session; RESET gives it back as it came.
    await runner.query('SET statement_timeout = 0');
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const executor = new MigrationExecutor(dataSource, runner);
    executor.transaction = 'each';
    const applied = await executor.executePendingMigrations();
    return applied.map((m) => m.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await runner.query('RESET statement_timeout').catch(() => undefined);
    await runner.release();
  }
}
