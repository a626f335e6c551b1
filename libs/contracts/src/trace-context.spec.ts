import { randomUUID } from 'node:crypto';
import { checkProvisioningJob } from './provisioning-commands.validation';
import {
  isCorrelationId,
  isTraceparent,
  isTracestate,
  traceIdOf,
  withoutMalformedPropagation,
} from './trace-context';

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('W3C trace context in queue payloads and events', () => {
  it('accepts a version-00 traceparent and reads its trace id', () => {
    expect(isTraceparent(TRACEPARENT)).toBe(true);
    expect(traceIdOf(TRACEPARENT)).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
  });

  it.each([
    ['all-zero trace id', '00-00000000000000000000000000000000-00f067aa0ba902b7-01'],
    ['all-zero span id', '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01'],
    ['upper-case hex', '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01'],
    ['version ff', 'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'],
    ['a short trace id', '00-4bf92f3577b34da6a3ce929d0e0e47-00f067aa0ba902b7-01'],
    ['trailing text', `${TRACEPARENT}-extra`],
    ['a number', 42],
  ])('refuses a traceparent with %s', (_, value) => {
    expect(isTraceparent(value)).toBe(false);
    expect(traceIdOf(value)).toBeUndefined();
  });

  it('accepts tracestate list members, multi-tenant keys and empty members', () => {
    expect(isTracestate('congo=t61rcWkgMzE,rojo=00f067aa0ba902b7')).toBe(true);
    expect(isTracestate('fw529a3039@dt=abc, ,vendor=x')).toBe(true);
  });

  it.each([
    ['no equals sign', 'congo'],
    ['an upper-case key', 'Congo=1'],
    ['an equals sign in a value', 'congo=a=b'],
    ['more than 512 characters', `a=${'x'.repeat(511)}`],
    ['more than 32 members', Array.from({ length: 33 }, (_, i) => `k${i}=v`).join(',')],
    ['a newline', 'a=1\nb=2'],
  ])('refuses a tracestate with %s', (_, value) => {
    expect(isTracestate(value)).toBe(false);
  });

  it('accepts request ids clients send and refuses what could forge a log line or header', () => {
    expect(isCorrelationId('f3b1c0de-0000-4000-8000-000000000001')).toBe(true);
    expect(isCorrelationId('req_01HZX.abc:1')).toBe(true);
    expect(isCorrelationId('')).toBe(false);
    expect(isCorrelationId('a b')).toBe(false);
    expect(isCorrelationId('x\r\nset-cookie: a=b')).toBe(false);
    expect(isCorrelationId('x'.repeat(129))).toBe(false);
  });

  it('drops malformed propagation fields and keeps the rest of the payload', () => {
    const ok = { id: 1, traceparent: TRACEPARENT, tracestate: 'a=b', correlationId: 'r-1' };
    expect(withoutMalformedPropagation(ok)).toBe(ok);
    expect(
      withoutMalformedPropagation({ id: 1, traceparent: 'garbage', tracestate: 'a=b', correlationId: 'x y' }),
    ).toEqual({ id: 1 });
    expect(withoutMalformedPropagation({ id: 1, traceparent: TRACEPARENT, tracestate: 'A' })).toEqual({
      id: 1,
      traceparent: TRACEPARENT,
    });
  });

  describe('checkProvisioningJob', () => {
    const command = () => ({
      commandId: randomUUID(),
      tenantId: randomUUID(),
      provider: 'entra',
      scimTokenId: randomUUID(),
      name: 'delete-user',
      subjectId: 'x',
    });

    it('keeps a well-formed traceparent, tracestate and correlation id', () => {
      const data = { ...command(), traceparent: TRACEPARENT, tracestate: 'a=b', correlationId: 'req-1' };
      expect(checkProvisioningJob(data)).toEqual({ kind: 'command', command: data });
    });

    it('applies a command whose trace context is malformed, without it (never a refusal)', () => {
      const plain = command();
      const checked = checkProvisioningJob({
        ...plain,
        traceparent: '00-zz-not-a-trace',
        tracestate: 'a=b',
        correlationId: { $ne: 1 },
      });
      expect(checked).toEqual({ kind: 'command', command: plain });
    });
  });
});
