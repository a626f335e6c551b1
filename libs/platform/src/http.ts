import { DynamicModule, INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';

export interface HttpAppSettings {
  /** Largest accepted request body, in bytes: 413 while it streams in, before anything is parsed. */
  bodyLimit: number;
  /** false when the app installs its own body parsers (the SCIM gateway does). */
  bodyParser?: boolean;
  /** `TRUST_PROXY`: a hop count or proxy addresses/CIDRs; unset trusts no X-Forwarded-* header. */
  trustProxy?: string;
  /** A request whose headers and body have not fully arrived by then is answered 408. */
  requestTimeoutMs: number;
}

/**
 * Both services run on Fastify: on this hardware it serves about six times the requests per
 * second of Express for the same Nest handlers, which matters on the SCIM hot path.
 */
export async function createHttpApp(
  module: DynamicModule,
  settings: HttpAppSettings,
): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    module,
    new FastifyAdapter({
      bodyLimit: settings.bodyLimit,
      trustProxy: trustedProxies(settings.trustProxy),
      requestTimeout: settings.requestTimeoutMs,
      http: {
        headersTimeout: settings.requestTimeoutMs,
        // Node checks the two timeouts above this often (default 30 s, far coarser than they are).
        connectionsCheckingInterval: Math.min(1000, settings.requestTimeoutMs),
      },
    }),
    { bufferLogs: true, bodyParser: settings.bodyParser ?? true },
  );
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  if (settings.bodyParser ?? true) acceptEmptyJsonBodies(app);
  return app;
}

/**
 * Many HTTP clients send `Content-Type: application/json` on every call, a DELETE with no body
 * included: an empty JSON body is no body (Fastify's own parser answers 400 "Body cannot be empty").
 */
function acceptEmptyJsonBodies(app: NestFastifyApplication): void {
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (request, _reply, done) => {
      const type = request.headers['content-type'];
      const length = request.headers['content-length'];
      const empty = (length === undefined || length === '0') && !request.headers['transfer-encoding'];
      if (empty && type && /^application\/json\b/i.test(type)) delete request.headers['content-type'];
      done();
    });
}

/**
 * X-Forwarded-For decides the client address rate limits count, and X-Forwarded-Proto the scheme
 * of SCIM `meta.location`: believed only from the proxies the operator named.
 */
export function trustedProxies(value: string | undefined): false | number | string[] {
  const trimmed = value?.trim();
  if (!trimmed) return false;
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  return trimmed.split(',').map((s) => s.trim());
}

/** The value of the cookie `name` in a Cookie request header, if the browser sent it. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const pair of (header ?? '').split(';')) {
    const at = pair.indexOf('=');
    if (at > 0 && pair.slice(0, at).trim() === name) return pair.slice(at + 1).trim();
  }
  return undefined;
}

export type { INestApplication };
