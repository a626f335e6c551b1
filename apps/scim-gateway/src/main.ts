import './instrumentation'; // first: see instrumentation.ts
import 'reflect-metadata';
import { validateEnvironment } from '@app/platform';
import { ScimGatewayConfig } from './config/scim-gateway.config';
import { createScimGatewayApp } from './scim-gateway.app';

async function main(): Promise<void> {
  const config = validateEnvironment(ScimGatewayConfig, process.env);
  const app = await createScimGatewayApp({ config });
  await app.listen(config.SCIM_PORT, config.HOST);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
