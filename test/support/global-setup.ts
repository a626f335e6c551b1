import 'reflect-metadata';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions, runMigrationsWithLock } from '../../libs/database/src';
import { fileDatabasePrefix, scratchDatabasePrefix } from './database';
import { TEST_DATABASE_URL } from './env';

/** Recreates and migrates the template database once; each test file then clones its own (database.ts). */
export default async function globalSetup(): Promise<void> {
  const url = new URL(TEST_DATABASE_URL);
  const name = url.pathname.slice(1);
  const admin = new Client({
    connectionString: Object.assign(new URL(url), { pathname: '/postgres' }).toString(),
  });
  await admin.connect();
  const leftovers = await admin.query(
    `SELECT datname FROM pg_database WHERE starts_with(datname, $1) OR starts_with(datname, $2)`,
    [fileDatabasePrefix(), scratchDatabasePrefix()],
  );
  for (const { datname } of leftovers.rows)
    await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const dataSource = await new DataSource(
    dataSourceOptions({ url: TEST_DATABASE_URL, poolSize: 2, applicationName: 'test-setup' }),
  ).initialize();
  await runMigrationsWithLock(dataSource);
  await dataSource.destroy();
}
