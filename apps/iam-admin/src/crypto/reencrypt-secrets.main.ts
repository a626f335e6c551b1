import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '@app/database';
import { validateEnvironment } from '@app/platform';
import { IamAdminConfig } from '../config/iam-admin.config';
import { reencryptSecrets } from './reencrypt-secrets';
import { SecretCipher } from './secret-cipher';
import { secretKeyRing } from './secret-keys';

/**
 * `npm run secrets:reencrypt`: after a new key is marked current in IAM_SECRET_KEYS (old keys kept),
 * rewrites every stored secret with it; the old keys can then be removed. Same environment as IAM.
 */
async function main(): Promise<void> {
  const config = validateEnvironment(IamAdminConfig, process.env);
  const keys = secretKeyRing(config);
  const dataSource = await new DataSource(
    dataSourceOptions({ url: config.DATABASE_URL, poolSize: 2, applicationName: 'iam-secrets-reencrypt' }),
  ).initialize();
  try {
    const counts = await reencryptSecrets(dataSource, new SecretCipher(keys));
    for (const c of counts) {
      process.stdout.write(
        `${c.column}: ${c.rewritten} re-encrypted, ${c.alreadyCurrent} already under key '${keys.current.id}'\n`,
      );
    }
  } finally {
    await dataSource.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
