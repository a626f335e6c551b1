import type { IncomingMessage, RequestOptions } from 'node:http';
import type { NodeSDK } from '@opentelemetry/sdk-node';
import { isHealthProbe, urlForLog } from '../url-redaction';

/*
 * OpenTelemetry start-up. Imported first by each service's instrumentation.ts (the first import of
 * main.ts), so the SDK hooks http, pg and ioredis before Nest, TypeORM and BullMQ load them. It
 * imports nothing heavy itself: with tracing off, not one module of the SDK is loaded.
 */

type Env = Record<string, string | undefined>;

/**
 * Traces are exported only when asked for with the standard variables: OTEL_TRACES_EXPORTER naming
 * an exporter (otlp, console, zipkin), or an OTLP endpoint set; OTEL_SDK_DISABLED=true or
 * OTEL_TRACES_EXPORTER=none turn it off whatever else is set.
 */
export function tracingRequested(env: Env): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  const exporters = (env.OTEL_TRACES_EXPORTER ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (exporters.length > 0) return !exporters.includes('none');
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim());
}

/**
 * Starts the SDK when tracing is requested; the rest of its configuration (endpoint, protocol,
 * sampler, resource attributes, batch delays) comes from the OTEL_* variables as the SDK reads them.
 * `OTEL_SERVICE_NAME` defaults to the service's own name. Answers whether it started.
 */
export function startTracing(serviceName: string, env: Env = process.env): boolean {
  if (!tracingRequested(env)) return false;
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded only when tracing is on */
  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const { HttpInstrumentation } =
    require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
  const { PgInstrumentation } =
    require('@opentelemetry/instrumentation-pg') as typeof import('@opentelemetry/instrumentation-pg');
  const { IORedisInstrumentation } =
    require('@opentelemetry/instrumentation-ioredis') as typeof import('@opentelemetry/instrumentation-ioredis');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const sdk = new NodeSDK({
    serviceName: env.OTEL_SERVICE_NAME?.trim() ? undefined : serviceName,
    // Traces only: metrics are Prometheus' (/metrics), logs go to stdout as JSON lines.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) => isHealthProbe(request.url ?? ''),
        // Query values are personal data (SCIM filters) or credentials (sign-in codes, webhook URL tokens).
        startIncomingSpanHook: (request: IncomingMessage) => queryAttribute(request.url ?? ''),
        startOutgoingSpanHook: (request: RequestOptions) => ({ 'url.full': outgoingUrl(request) }),
        // Calls made outside any traced work (JWKS refreshes, health checks) are not worth a trace of their own.
        requireParentforOutgoingSpans: true,
      }),
      // Statements are recorded as written (with $1 placeholders), never their values.
      new PgInstrumentation({ requireParentSpan: true }),
      // BullMQ polls Redis all the time: only commands made for traced work are recorded, by name
      // only (their arguments hold job payloads and events, i.e. personal data).
      new IORedisInstrumentation({ requireParentSpan: true, dbStatementSerializer: (command) => command }),
    ],
  });
  sdk.start();
  flushOnShutdown(sdk);
  return true;
}

function queryAttribute(url: string): Record<string, string> {
  const redacted = urlForLog(url);
  const at = redacted.indexOf('?');
  return at < 0 ? {} : { 'url.query': redacted.slice(at + 1) };
}

function outgoingUrl(request: RequestOptions): string {
  const host = request.hostname ?? request.host ?? 'localhost';
  const port = request.port ? `:${request.port}` : '';
  return `${request.protocol ?? 'http:'}//${host}${port}${urlForLog(request.path ?? '/')}`;
}

/**
 * Spans still batched when the process is told to stop are exported before it ends. Nest's shutdown
 * hook closes the app on SIGTERM/SIGINT and then raises the signal again with its own listener
 * gone: this one, then alone, flushes and lets the signal end the process. A process without
 * Nest's hook (this listener alone from the start) flushes at once.
 */
const SHUTDOWN_FLUSH_MS = 3000;

function flushOnShutdown(sdk: NodeSDK): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    const flush = () => {
      if (process.listenerCount(signal) > 1) return;
      process.removeListener(signal, flush);
      // Bounded: an unreachable collector must not keep a stopping service alive.
      const timeout = new Promise((resolve) => setTimeout(resolve, SHUTDOWN_FLUSH_MS).unref());
      void Promise.race([sdk.shutdown().catch(() => undefined), timeout]).finally(() =>
        process.kill(process.pid, signal),
      );
    };
    process.on(signal, flush);
  }
}
