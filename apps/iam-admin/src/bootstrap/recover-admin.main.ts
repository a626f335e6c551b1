import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '@app/database';
import { ServiceConfig, validateEnvironment } from '@app/platform';
import { recoverPlatformAdmin } from './recover-admin';

/**
 * `npm run admin:recover` (DATABASE_URL as for IAM): mints a new platform admin token and prints it
 * once. The way back in when every platform token is lost; revoke the lost ones with it afterwards.
 */
async function main(): Promise<void> {
  const config = validateEnvironment(ServiceConfig, process.env);
  const dataSource = await new DataSource(
    dataSourceOptions({ url: config.DATABASE_URL, poolSize: 1, applicationName: 'iam-admin-recover' }),
  ).initialize();
  try {
    const { id, token } = await recoverPlatformAdmin(dataSource);
    process.stdout.write(
      `Recovery admin token ${id} (iam:platform-admin, iam:admin; shown once, store it now): ${token}\n`,
    );
  } finally {
    await dataSource.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
