import type { IncomingMessage, ServerResponse } from 'node:http';
import { propagation, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { core } from '@opentelemetry/sdk-node';
import { correlationIdFor, currentCorrelationId, logContext, withCorrelationId } from './correlation';
import { contextOf, propagationFields } from './spans';
import { tracingRequested } from './start';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const TRACEPARENT = `00-${TRACE_ID}-00f067aa0ba902b7-01`;

describe('tracingRequested: off unless the standard OTEL_* variables ask for traces', () => {
  it.each([
    ['nothing set', {}, false],
    ['OTEL_TRACES_EXPORTER=otlp', { OTEL_TRACES_EXPORTER: 'otlp' }, true],
    ['an OTLP endpoint', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, true],
    ['a traces endpoint', { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces' }, true],
    [
      'OTEL_TRACES_EXPORTER=none with an endpoint',
      { OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c' },
      false,
    ],
    [
      'OTEL_SDK_DISABLED=true with an exporter',
      { OTEL_SDK_DISABLED: 'TRUE', OTEL_TRACES_EXPORTER: 'otlp' },
      false,
    ],
    [
      'OTEL_SDK_DISABLED=false with an exporter',
      { OTEL_SDK_DISABLED: 'false', OTEL_TRACES_EXPORTER: 'console' },
      true,
    ],
    ['a blank endpoint', { OTEL_EXPORTER_OTLP_ENDPOINT: ' ' }, false],
  ])('%s', (_, env, expected) => {
    expect(tracingRequested(env)).toBe(expected);
  });
});

describe('correlation ids', () => {
  const request = (headers: Record<string, string>) => {
    const sent: Record<string, string> = {};
    const res = {
      headersSent: false,
      setHeader: (name: string, value: string) => (sent[name] = value),
    } as unknown as ServerResponse;
    return { req: { headers } as unknown as IncomingMessage, res, sent };
  };

  it("takes the client's well-formed X-Request-Id and answers it", () => {
    const { req, res, sent } = request({ 'x-request-id': 'req-42', traceparent: TRACEPARENT });
    expect(correlationIdFor(req, res)).toBe('req-42');
    expect(sent['x-request-id']).toBe('req-42');
  });

  it('falls back to the trace id, then to a new UUID; a malformed X-Request-Id is not used', () => {
    expect(
      correlationIdFor(request({ 'x-request-id': 'a b\r\n', traceparent: TRACEPARENT }).req, request({}).res),
    ).toBe(TRACE_ID);
    const { req, res, sent } = request({ 'x-request-id': 'x'.repeat(200), traceparent: 'garbage' });
    const id = correlationIdFor(req, res);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(sent['x-request-id']).toBe(id);
    // Asked again for the same request (pino-http does when the response is logged): the same id.
    expect(correlationIdFor(req, res)).toBe(id);
  });

  it('carries an id into work done elsewhere, onto its log lines and the commands it sends', async () => {
    expect(currentCorrelationId()).toBeUndefined();
    expect(logContext()).toEqual({});
    await withCorrelationId('req-7', async () => {
      await Promise.resolve();
      expect(currentCorrelationId()).toBe('req-7');
      expect(logContext()).toEqual({ correlationId: 'req-7' });
      expect(propagationFields()).toEqual({ correlationId: 'req-7' });
    });
    expect(withCorrelationId(undefined, () => currentCorrelationId())).toBeUndefined();
  });
});

describe('trace context from payloads (the SDK not started: the no-op API)', () => {
  it('carries no trace context while tracing is off', () => {
    expect(propagationFields()).toEqual({});
  });

  it('starts a new trace for a payload whose traceparent is absent or malformed', () => {
    expect(contextOf({})).toBe(ROOT_CONTEXT);
    expect(contextOf({ traceparent: '00-zz' })).toBe(ROOT_CONTEXT);
    expect(contextOf({ traceparent: 42 })).toBe(ROOT_CONTEXT);
  });

  it("continues a well-formed payload's trace with the SDK's W3C propagator", () => {
    propagation.setGlobalPropagator(new core.W3CTraceContextPropagator());
    try {
      const parent = trace.getSpanContext(contextOf({ traceparent: TRACEPARENT, tracestate: 'a=1' }));
      expect(parent).toMatchObject({ traceId: TRACE_ID, spanId: '00f067aa0ba902b7', isRemote: true });
      expect(parent?.traceState?.get('a')).toBe('1');
      // A malformed tracestate goes; the traceparent still counts.
      const withoutState = trace.getSpanContext(contextOf({ traceparent: TRACEPARENT, tracestate: 'A B' }));
      expect(withoutState).toMatchObject({ traceId: TRACE_ID });
      expect(withoutState?.traceState).toBeUndefined();
    } finally {
      propagation.disable();
    }
  });
});
