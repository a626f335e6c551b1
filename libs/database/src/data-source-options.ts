import { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from './migrations';
import { PreparingClient } from './prepared-statements';

export interface DatabaseSettings {
  url: string;
  /** Connections in this process's pool. */
  poolSize: number;
  applicationName: string;
  /** PostgreSQL cancels a statement of this pool after this long (0 or absent: no limit). */
  statementTimeoutMs?: number;
  /** PostgreSQL ends a session of this pool left idle inside a transaction this long (0 or absent: no limit). */
  idleInTransactionTimeoutMs?: number;
  /** Repeated statements as named prepared statements (see PreparingClient); off for one-off tools. */
  preparedStatements?: boolean;
}

/** The one way both services and the migration CLI describe the database. Never `synchronize`. */
export function dataSourceOptions(settings: DatabaseSettings): DataSourceOptions {
  return {
    type: 'postgres',
    url: settings.url,
    // No entities: SQL lives in each table's *.repository.ts (see the README's architecture section).
    entities: [],
    migrations: MIGRATIONS,
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    applicationName: settings.applicationName,
    // Session settings sent with each new connection of the pool (node-postgres' startup options),
    // so no statement of this process runs or holds its locks unbounded.
    extra: {
      max: settings.poolSize,
      statement_timeout: settings.statementTimeoutMs || undefined,
      idle_in_transaction_session_timeout: settings.idleInTransactionTimeoutMs || undefined,
      // The pool's connections: node-postgres' own Client, or one that names repeated statements.
      ...(settings.preparedStatements ? { Client: PreparingClient } : {}),
    },
  };
}
