import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { validateEnvironment } from '@app/platform';
import { IamAdminConfig } from '../../apps/iam-admin/src/config/iam-admin.config';
import { createIamAdminApp } from '../../apps/iam-admin/src/iam-admin.app';
import { ScimGatewayConfig } from '../../apps/scim-gateway/src/config/scim-gateway.config';
import { createScimGatewayApp } from '../../apps/scim-gateway/src/scim-gateway.app';
import { testFileDatabaseUrl } from './database';
import { baseEnv } from './env';
import { LogCapture } from './log-capture';

export interface RunningApp {
  app: NestFastifyApplication;
  url: string;
  logs: LogCapture;
  env: Record<string, string>;
  close(): Promise<void>;
}

async function listen(
  app: NestFastifyApplication,
  logs: LogCapture,
  env: Record<string, string>,
): Promise<RunningApp> {
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  return { app, url: `http://127.0.0.1:${address.port}`, logs, env, close: () => app.close() };
}

/** The real IAM admin app on a free port, against the test PostgreSQL and Redis. */
export async function startIamAdmin(overrides: Record<string, string> = {}): Promise<RunningApp> {
  const env = { ...baseEnv(), DATABASE_URL: await testFileDatabaseUrl(), ...overrides };
  const logs = new LogCapture();
  const app = await createIamAdminApp({
    config: validateEnvironment(IamAdminConfig, env),
    logDestination: logs,
  });
  return listen(app, logs, env);
}

/** The real SCIM gateway on a free port; pass the IAM env so both share queue prefix and database. */
export async function startScimGateway(overrides: Record<string, string> = {}): Promise<RunningApp> {
  const env = { ...baseEnv(), DATABASE_URL: await testFileDatabaseUrl(), ...overrides };
  const logs = new LogCapture();
  const app = await createScimGatewayApp({
    config: validateEnvironment(ScimGatewayConfig, env),
    logDestination: logs,
  });
  return listen(app, logs, env);
}
