import './instrumentation'; // first: see instrumentation.ts
import 'reflect-metadata';
import { validateEnvironment } from '@app/platform';
import { IamAdminConfig } from './config/iam-admin.config';
import { createIamAdminApp } from './iam-admin.app';

async function main(): Promise<void> {
  const config = validateEnvironment(IamAdminConfig, process.env);
  const app = await createIamAdminApp({ config });
  await app.listen(config.IAM_PORT, config.HOST);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
