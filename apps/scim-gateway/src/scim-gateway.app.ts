import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createHttpApp } from '@app/platform';
import { configureScimHttp } from './scim-http/scim-fastify';
import { ScimGatewayModule, ScimGatewayModuleOptions } from './scim-gateway.module';

/** Builds the SCIM gateway HTTP app (used by main.ts and by the e2e tests alike). */
export async function createScimGatewayApp(
  options: ScimGatewayModuleOptions,
): Promise<NestFastifyApplication> {
  const app = await createHttpApp(ScimGatewayModule.forRoot(options), {
    bodyLimit: options.config.SCIM_MAX_BODY_BYTES,
    bodyParser: false,
  });
  configureScimHttp(app);
  return app;
}
