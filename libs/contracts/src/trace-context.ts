/**
 * Trace context and correlation id that queue payloads and events may carry: W3C Trace Context
 * (`traceparent`, `tracestate`, https://www.w3.org/TR/trace-context/) under the names the CloudEvents
 * distributed-tracing extension gives them, and the id that ties the log lines of one request
 * together. All optional and never a reason to refuse a payload: Redis is input, so a malformed
 * value is dropped (the work goes on in a new trace) rather than trusted or passed on.
 */
export interface TraceContextFields {
  /** `00-{32 hex trace id}-{16 hex parent span id}-{2 hex flags}`. */
  traceparent?: string;
  /** Vendor key=value pairs travelling with the traceparent; at most 512 characters. */
  tracestate?: string;
}

export interface CorrelationFields {
  /** The id every log line of the originating request carries (X-Request-Id or the trace id). */
  correlationId?: string;
}

export type PropagationFields = TraceContextFields & CorrelationFields;

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;
/** A tracestate list member: `key=value`, the key optionally `tenant@system`. */
const TRACESTATE_MEMBER =
  /^(?:[a-z0-9][_0-9a-z\-*/]{0,240}@[a-z][_0-9a-z\-*/]{0,13}|[a-z][_0-9a-z\-*/]{0,255})=[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;
const MAX_TRACESTATE_LENGTH = 512;
const MAX_TRACESTATE_MEMBERS = 32;
/** Printable, no spaces or quotes: safe in a header and a log line; as long as any request id seen in practice. */
const CORRELATION_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

/** A version-00 traceparent whose trace and span ids are not all zeros (the spec's invalid values). */
export function isTraceparent(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const match = TRACEPARENT.exec(value);
  return match !== null && !/^0+$/.test(match[1]!) && !/^0+$/.test(match[2]!);
}

export function isTracestate(value: unknown): value is string {
  if (typeof value !== 'string' || value.length > MAX_TRACESTATE_LENGTH) return false;
  const members = value.split(',').map((m) => m.trim());
  return (
    members.length <= MAX_TRACESTATE_MEMBERS && members.every((m) => m === '' || TRACESTATE_MEMBER.test(m))
  );
}

export function isCorrelationId(value: unknown): value is string {
  return typeof value === 'string' && CORRELATION_ID.test(value);
}

/** The trace id of a valid traceparent, else undefined. */
export function traceIdOf(traceparent: unknown): string | undefined {
  return isTraceparent(traceparent) ? traceparent.slice(3, 35) : undefined;
}

/**
 * The payload without propagation fields that are present but malformed (the same object when all
 * are well-formed or absent). A tracestate without a valid traceparent means nothing and goes too.
 */
export function withoutMalformedPropagation<T extends object>(payload: T): T {
  const fields = payload as PropagationFields;
  const badParent = fields.traceparent !== undefined && !isTraceparent(fields.traceparent);
  const badState =
    fields.tracestate !== undefined &&
    (!isTracestate(fields.tracestate) || !isTraceparent(fields.traceparent));
  const badCorrelation = fields.correlationId !== undefined && !isCorrelationId(fields.correlationId);
  if (!badParent && !badState && !badCorrelation) return payload;
  const copy = { ...payload } as PropagationFields;
  if (badParent) delete copy.traceparent;
  if (badState) delete copy.tracestate;
  if (badCorrelation) delete copy.correlationId;
  return copy as T;
}
