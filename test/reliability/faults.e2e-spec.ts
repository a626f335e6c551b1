import { FaultName, FaultRun, FaultStack, runSyncWithFaults, startFaultStack } from '@test/support';

/*
 * The short version of `npm run chaos`: for each fault, a small Entra-like sync (20 connections) with that fault in
 * the middle, on an installation of its own (embedded PostgreSQL, redis-server with its append-only file, IAM and two
 * gateways as child processes). The shared PostgreSQL and Redis are never touched.
 */
describe('faults during an Entra-like sync', () => {
  let stack: FaultStack;
  beforeAll(async () => {
    stack = await startFaultStack({ gateways: 2 });
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  const expectPromisesKept = (run: FaultRun) => {
    const { audit } = run;
    expect(audit.refused).toEqual([]);
    expect(audit.unacknowledged).toBe(0);
    expect(audit.lost).toEqual([]);
    expect(audit.appliedTwice).toEqual([]);
    expect(audit.duplicateSubjects).toEqual([]);
    expect(audit.eventMismatches).toEqual([]);
    expect(audit.unpublishedEvents).toBe(0);
    expect(audit.consumerMissing).toEqual([0, 0]);
    expect(run.faults).toHaveLength(1);
    expect(run.faults[0]!.recoveryMs).not.toBeNull();
  };

  it.each<FaultName>(['kill IAM', 'restart Redis', 'restart PostgreSQL', 'kill a gateway'])(
    '%s: no acknowledged write lost or applied twice, every change evented once and consumed',
    async (fault) => {
      const run = await runSyncWithFaults(stack, {
        users: 60,
        groups: 3,
        concurrency: 20,
        faults: [fault],
        giveUpMs: 60_000,
        settleMs: 30_000,
      });
      expectPromisesKept(run);
    },
    150_000,
  );
});
