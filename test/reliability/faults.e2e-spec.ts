import {
  auditSync,
  FaultName,
  FaultRun,
  FaultStack,
  runSyncWithFaults,
  startFaultStack,
} from '@test/support';

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

  const expectPromisesKeptWithoutFaults = ({ audit }: FaultRun) => {
    expect(audit.refused).toEqual([]);
    expect(audit.unacknowledged).toBe(0);
    expect(audit.lost).toEqual([]);
    expect(audit.appliedTwice).toEqual([]);
    expect(audit.duplicateSubjects).toEqual([]);
    expect(audit.eventMismatches).toEqual([]);
    expect(audit.unpublishedEvents).toBe(0);
    expect(audit.consumerMissing.filter((c) => c.missing > 0)).toEqual([]);
    expect(audit.consumerMissing).toHaveLength(3);
  };
  const expectPromisesKept = (run: FaultRun) => {
    expectPromisesKeptWithoutFaults(run);
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
        // After an IAM SIGKILL, a webhook delivery that was in flight is taken over only once its BullMQ lock (30 s)
        // has expired and the stalled check has run: about a minute (measured), so the audit waits up to two.
        settleMs: 120_000,
      });
      expectPromisesKept(run);
    },
    200_000,
  );

  // Last: it tampers with the outbox. The audit must see a lost rename and a rename applied twice.
  it('the audit is not vacuous: it reports an event removed and an event duplicated', async () => {
    const run = await runSyncWithFaults(stack, { users: 4, groups: 1, concurrency: 4, faults: [] });
    expectPromisesKeptWithoutFaults(run);
    const rename = run.log.operations.find(
      (o) => o.op.kind === 'rename-user' && o.op.displayName.endsWith('v1'),
    )!;
    const subjectId = run.log.userIds.get((rename.op as { user: number }).user)!;
    await stack.db(
      `DELETE FROM subject_events WHERE aggregate_id = $1 AND event->>'type' = 'subject.updated'
         AND event->'state'->>'displayName' LIKE '% v1'`,
      [subjectId],
    );
    await stack.db(
      `INSERT INTO subject_events (tenant_id, aggregate_id, sequence, event, published_at)
       SELECT tenant_id, aggregate_id, sequence + 100, event, now() FROM subject_events
        WHERE aggregate_id = $1 AND event->>'type' = 'subject.updated'`,
      [subjectId],
    );
    const audit = await auditSync(stack, run.log, []);
    expect(audit.lost).toEqual([expect.stringContaining(`renamed ${subjectId} to`)]);
    expect(audit.appliedTwice).toEqual([
      expect.stringMatching(new RegExp(`renamed ${subjectId} to .* v2 ×2`)),
    ]);
    expect(audit.eventMismatches.length).toBeGreaterThan(0);
  }, 60_000);
});
