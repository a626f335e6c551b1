import { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from './migrations';

export interface DatabaseSettings {
  url: string;
  /** Connections in this process's pool. */
  poolSize: number;
  applicationName: string;
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
    extra: { max: settings.poolSize },
  };
}
