import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { context, trace } from '@opentelemetry/api';
import { storage as requestLogStorage } from 'nestjs-pino/storage';
import { isCorrelationId, traceIdOf } from '@app/contracts';

/**
 * Correlation ids: one id on every log line of a request, in both services, whether or not traces
 * are exported. A request's id is its X-Request-Id when the client sent a well-formed one, else its
 * trace id (so a log line leads to the trace), else a new UUID; it is answered as X-Request-Id.
 * Work done for a request elsewhere (IAM applying a queued SCIM command) runs under the id the
 * request sent along (withCorrelationId).
 */
export const CORRELATION_HEADER = 'x-request-id';

const carried = new AsyncLocalStorage<string>();

const ofRequest = new WeakMap<IncomingMessage, string>();

/**
 * The request's correlation id, decided once (pino-http asks again when the response is logged)
 * and set as the X-Request-Id response header.
 */
export function correlationIdFor(req: IncomingMessage, res: ServerResponse): string {
  const known = ofRequest.get(req);
  if (known !== undefined) return known;
  const sent = req.headers[CORRELATION_HEADER];
  const id =
    (isCorrelationId(sent) ? sent : undefined) ??
    activeTraceId() ??
    traceIdOf(req.headers.traceparent) ??
    randomUUID();
  ofRequest.set(req, id);
  if (!res.headersSent) res.setHeader(CORRELATION_HEADER, id);
  return id;
}

/** Runs `work` with log lines (and commands it sends) carrying `id`; without an id, as it is. */
export function withCorrelationId<T>(id: string | undefined, work: () => T): T {
  return id === undefined ? work() : carried.run(id, work);
}

/** The correlation id of the work in progress: carried in, or the current request's. */
export function currentCorrelationId(): string | undefined {
  const own = carried.getStore();
  if (own !== undefined) return own;
  // Inside a request nestjs-pino keeps the request's logger, which carries the id (loggingModule's customProps).
  const id = requestLogStorage.getStore()?.logger.bindings().correlationId as unknown;
  return typeof id === 'string' ? id : undefined;
}

/** pino mixin: what every log line outside a request's own logger adds (and the trace, when one is recorded). */
export function logContext(): Record<string, string> {
  const fields: Record<string, string> = {};
  const id = carried.getStore();
  if (id !== undefined) fields.correlationId = id;
  const span = trace.getSpan(context.active())?.spanContext();
  if (span && trace.isSpanContextValid(span)) {
    fields.traceId = span.traceId;
    fields.spanId = span.spanId;
  }
  return fields;
}

function activeTraceId(): string | undefined {
  const span = trace.getSpan(context.active())?.spanContext();
  return span && trace.isSpanContextValid(span) ? span.traceId : undefined;
}
