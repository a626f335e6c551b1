import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type Redis from 'ioredis';
import { createHttpApp, installRateLimit, RateLimiter, REDIS_CLIENT } from '@app/platform';
import { IamAdminConfig } from './config/iam-admin.config';
import { adminValidationPipe } from './errors/validation';
import { IamAdminModule, IamAdminModuleOptions } from './iam-admin.module';

/** Admin and sign-in bodies are small JSON documents; anything larger is refused while it streams in. */
const ADMIN_MAX_BODY_BYTES = 256 * 1024;

/** Builds the IAM admin HTTP app (used by main.ts and by the e2e tests alike). */
export async function createIamAdminApp(options: IamAdminModuleOptions): Promise<NestFastifyApplication> {
  const { config } = options;
  const app = await createHttpApp(IamAdminModule.forRoot(options), {
    bodyLimit: ADMIN_MAX_BODY_BYTES,
    trustProxy: config.TRUST_PROXY,
    requestTimeoutMs: config.HTTP_REQUEST_TIMEOUT_MS,
  });
  app.useGlobalPipes(adminValidationPipe());
  limitSignInRequests(app, config);
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('IAM admin API')
      .setDescription('Tenants, Azure AD SSO identity providers and SCIM tokens')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document);
  return app;
}

/**
 * Matched on the route template, not the raw URL: the router also serves percent-encoded paths
 * (`/v1/%6Cogin/…`). `/v1/session` is not limited per address: internal services call it from a
 * few addresses, and without a valid token it costs one signature check.
 */
const PUBLIC_SIGN_IN = /^\/v1\/(login\/|logout$)/;

/**
 * The sign-in endpoints answer anyone: each started sign-in costs a state in Redis and may cost a
 * discovery request to the provider. Limited per client address (see TRUST_PROXY behind a proxy).
 */
function limitSignInRequests(app: NestFastifyApplication, config: IamAdminConfig): void {
  const limiter = new RateLimiter(app.get<Redis>(REDIS_CLIENT), { prefix: config.QUEUE_PREFIX });
  installRateLimit(
    app,
    limiter,
    (request) =>
      PUBLIC_SIGN_IN.test(request.routeOptions.url ?? '')
        ? [{ key: `login-ip:${request.ip}`, limit: config.LOGIN_RATE_LIMIT_PER_IP }]
        : [],
    (reply, retryAfter) =>
      void reply
        .status(429)
        .header('Retry-After', String(retryAfter))
        .send({
          statusCode: 429,
          error: 'Too Many Requests',
          message: `too many sign-in requests from this address; retry after ${retryAfter} s`,
        }),
  );
}
