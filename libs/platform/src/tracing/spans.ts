import {
  Attributes,
  context,
  Context,
  propagation,
  ROOT_CONTEXT,
  Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import {
  isTraceparent,
  PropagationFields,
  TraceContextFields,
  withoutMalformedPropagation,
} from '@app/contracts';
import { currentCorrelationId, withCorrelationId } from './correlation';

/*
 * Spans and W3C trace context across the queue and the event stream. Everything here goes through
 * @opentelemetry/api: with the SDK not started (the default) the tracer and propagator are no-ops,
 * so these cost a few function calls and nothing is recorded or carried.
 */

const tracer = () => trace.getTracer('entra-iam');

/** A payload as read back from Redis or the outbox: its propagation fields are unchecked input. */
type Carrier = { [K in keyof PropagationFields]?: unknown };

/** The active trace context as an event records it (nothing while tracing is off). */
export function traceContextFields(): TraceContextFields {
  const carrier: TraceContextFields = {};
  propagation.inject(context.active(), carrier);
  return withoutMalformedPropagation(carrier);
}

/** What a command sent from here carries: the active trace context and the correlation id. */
export function propagationFields(): PropagationFields {
  const correlationId = currentCorrelationId();
  return { ...traceContextFields(), ...(correlationId !== undefined && { correlationId }) };
}

/**
 * The context a payload from Redis names: its trace when its traceparent is well-formed, else a new
 * trace (never the context of whatever happened to run before).
 */
export function contextOf(payload: object): Context {
  const fields = payload as Carrier;
  if (!isTraceparent(fields.traceparent)) return ROOT_CONTEXT;
  const { traceparent, tracestate } = withoutMalformedPropagation(fields) as TraceContextFields;
  return propagation.extract(ROOT_CONTEXT, { traceparent, ...(tracestate !== undefined && { tracestate }) });
}

/** Runs `work` in a new active span (child of `parent`, else of the active one); an error marks it failed. */
export function inSpan<T>(
  name: string,
  options: { kind?: SpanKind; attributes?: Attributes; parent?: Context },
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const { parent, ...spanOptions } = options;
  return tracer().startActiveSpan(name, spanOptions, parent ?? context.active(), async (span) => {
    try {
      return await work(span);
    } catch (error) {
      failed(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/**
 * Work a payload taken from Redis asks for: a consumer span in the payload's trace, and log lines
 * carrying its correlation id.
 */
export function consumeTraced<T>(
  payload: object,
  name: string,
  attributes: Attributes,
  work: () => Promise<T>,
): Promise<T> {
  return inSpan(name, { kind: SpanKind.CONSUMER, attributes, parent: contextOf(payload) }, () =>
    withCorrelationId((withoutMalformedPropagation(payload) as PropagationFields).correlationId, work),
  );
}

/**
 * One producer span per message of a batch, each in its own message's trace (a batch mixes
 * requests). End them once the batch is out, with the error when it was not.
 */
export function producerSpans(
  name: string,
  messages: object[],
  attributes: Attributes,
): { end(error?: unknown): void } {
  const spans = messages
    .filter((m) => isTraceparent((m as Carrier).traceparent))
    .map((m) => tracer().startSpan(name, { kind: SpanKind.PRODUCER, attributes }, contextOf(m)));
  return {
    end: (error?: unknown) => {
      for (const span of spans) {
        if (error !== undefined) failed(span, error);
        span.end();
      }
    },
  };
}

function failed(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : undefined });
}

export { SpanKind };
