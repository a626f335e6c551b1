import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { TEST_DATABASE_URL } from './env';

const adminUrl = () => Object.assign(new URL(TEST_DATABASE_URL), { pathname: '/postgres' }).toString();
const urlOf = (name: string) =>
  Object.assign(new URL(TEST_DATABASE_URL), { pathname: `/${name}` }).toString();
const templateName = () => new URL(TEST_DATABASE_URL).pathname.slice(1);

/**
 * Prefixes of the per-file and scratch databases, named after the template so that two runs with
 * different TEST_DATABASE_URLs never drop each other's; global-setup drops those a previous run left.
 */
export const fileDatabasePrefix = () => `${templateName()}_file_`;
export const scratchDatabasePrefix = () => `${templateName()}_scratch_`;

async function admin<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

let fileDatabase: Promise<string> | undefined;

/**
 * This test file's own database, cloned from the migrated template once per file (Jest loads this
 * module once per file): files running in parallel never see each other's rows or outbox events.
 */
export function testFileDatabaseUrl(): Promise<string> {
  fileDatabase ??= admin(async (client) => {
    const name = `${fileDatabasePrefix()}${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    await client.query(`CREATE DATABASE "${name}" TEMPLATE "${templateName()}"`);
    return urlOf(name);
  });
  return fileDatabase;
}

/** An empty database of its own (no migrations), for tests of a brand-new installation. */
export async function createScratchDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${scratchDatabasePrefix()}${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  await admin((client) => client.query(`CREATE DATABASE "${name}"`));
  return {
    url: urlOf(name),
    drop: () =>
      admin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}
