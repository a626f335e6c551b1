import { QueryFailedError } from 'typeorm';
import { ScimGatewayConfig } from '../config/scim-gateway.config';
import { ReadTimedOut, TenantReadGate, TenantReadsBusy } from './tenant-read-gate';

const config = (overrides: Partial<ScimGatewayConfig>) =>
  Object.assign(new ScimGatewayConfig(), { SCIM_TENANT_READ_WAIT_MS: 50, ...overrides });

/** A read that runs until `finish` is called. */
function heldRead(): { read: () => Promise<string>; finish: () => void } {
  let finish!: () => void;
  const done = new Promise<string>((resolve) => (finish = () => resolve('done')));
  return { read: () => done, finish };
}

describe('TenantReadGate', () => {
  it("runs a tenant's reads up to its limit, queues the next, and lets other tenants through", async () => {
    const gate = new TenantReadGate(
      config({ SCIM_TENANT_READ_CONCURRENCY: 2, SCIM_TENANT_READ_WAIT_MS: 1000 }),
    );
    const [a1, a2] = [heldRead(), heldRead()];
    const running = [gate.run('a', a1.read), gate.run('a', a2.read)];
    let thirdDone = false;
    const third = gate.run('a', async () => 'third').then((v) => ((thirdDone = true), v));
    await expect(gate.run('b', async () => 'other tenant')).resolves.toBe('other tenant');
    await new Promise((r) => setTimeout(r, 20));
    expect(thirdDone).toBe(false);
    a1.finish();
    await expect(third).resolves.toBe('third');
    a2.finish();
    await Promise.all(running);
  });

  it('answers 429 with Retry-After when no slot frees up within the wait', async () => {
    const gate = new TenantReadGate(config({ SCIM_TENANT_READ_CONCURRENCY: 1, SCIM_RETRY_AFTER_SECONDS: 3 }));
    const held = heldRead();
    const first = gate.run('a', held.read);
    const refused = await gate.run('a', async () => 'never').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TenantReadsBusy);
    expect(refused).toMatchObject({ status: 429, retryAfter: 3 });
    held.finish();
    await first;
    // The refused waiter left no trace: the next read gets the freed slot at once.
    await expect(gate.run('a', async () => 'next')).resolves.toBe('next');
  });

  it('0 means no limit', async () => {
    const gate = new TenantReadGate(config({ SCIM_TENANT_READ_CONCURRENCY: 0 }));
    const held = Array.from({ length: 50 }, heldRead);
    const all = held.map((h) => gate.run('a', h.read));
    await expect(gate.run('a', async () => 'free')).resolves.toBe('free');
    held.forEach((h) => h.finish());
    await Promise.all(all);
  });

  it('answers a statement_timeout cancellation 503 + Retry-After naming the limit, and frees the slot', async () => {
    const gate = new TenantReadGate(
      config({ SCIM_TENANT_READ_CONCURRENCY: 1, DATABASE_STATEMENT_TIMEOUT_MS: 5000 }),
    );
    const cancelled = Object.assign(new QueryFailedError('SELECT', [], new Error('canceling statement')), {
      driverError: { code: '57014' },
    });
    const error = await gate.run('a', () => Promise.reject(cancelled)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReadTimedOut);
    expect(error).toMatchObject({ status: 503, retryAfter: 5 });
    expect((error as Error).message).toContain('5000 ms');
    await expect(gate.run('a', async () => 'after')).resolves.toBe('after');
  });
});
