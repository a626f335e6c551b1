import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createHttpApp } from '@app/platform';
import { configureScimHttp } from './scim-http/scim-fastify';
import { configureScimRateLimit } from './scim-http/scim-rate-limit';
import { ScimGatewayModule, ScimGatewayModuleOptions } from './scim-gateway.module';

/** Builds the SCIM gateway HTTP app (used by main.ts and by the e2e tests alike). */
export async function createScimGatewayApp(
  options: ScimGatewayModuleOptions,
): Promise<NestFastifyApplication> {
  const { config } = options;
  const app = await createHttpApp(ScimGatewayModule.forRoot(options), {
    bodyLimit: config.SCIM_MAX_BODY_BYTES,
    bodyParser: false,
    trustProxy: config.TRUST_PROXY,
    requestTimeoutMs: config.HTTP_REQUEST_TIMEOUT_MS,
  });
  configureScimHttp(app);
  configureScimRateLimit(app, config);
  return app;
}
