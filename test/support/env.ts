import { randomBytes, randomUUID } from 'node:crypto';

/** The test database: created fresh and migrated once per `npm test` run (see global-setup). */
export const TEST_DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/iam_test';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';

/** A queue prefix of its own per test file, so parallel files never share jobs. */
export function uniqueQueuePrefix(): string {
  return `test-${randomUUID().slice(0, 8)}`;
}

/** One key per test file: every IAM instance of an installation must share its secret key. */
const TEST_SECRET_KEY = randomBytes(32).toString('base64');

export function baseEnv(): Record<string, string> {
  return {
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    DATABASE_URL: TEST_DATABASE_URL,
    DATABASE_POOL_SIZE: '5',
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: uniqueQueuePrefix(),
    LOG_LEVEL: 'info',
    IAM_SECRET_KEY: TEST_SECRET_KEY,
    OUTBOUND_ALLOW_LOOPBACK: 'true',
  };
}
