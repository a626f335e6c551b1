import os from 'node:os';
import { FaultName, runSyncWithFaults, startFaultStack, syncOperationCount } from '@test/support';

/*
 * `npm run chaos`: an Entra-like sync of at least 10,000 operations at 24 connections against an installation of its
 * own (embedded PostgreSQL 17, redis-server with its append-only file, IAM and two gateways as child processes), with
 * IAM SIGKILLed twice, Redis and PostgreSQL restarted and a gateway SIGKILLed along the way. Then the client's log is
 * compared with what IAM holds and what two event consumers received, and the figures are printed for the README.
 * Exits non-zero when a promise is broken.
 */
const USERS = Number(process.env.CHAOS_USERS ?? 2500);
const GROUPS = Number(process.env.CHAOS_GROUPS ?? 10);
const CONNECTIONS = Number(process.env.CHAOS_CONNECTIONS ?? 24);
const FAULTS: FaultName[] = ['kill IAM', 'restart Redis', 'kill IAM', 'restart PostgreSQL', 'kill a gateway'];

async function main(): Promise<void> {
  const stack = await startFaultStack({ gateways: 2 });
  try {
    const total = syncOperationCount({ users: USERS, groups: GROUPS });
    console.log(`chaos: ${total} operations at ${CONNECTIONS} connections, faults: ${FAULTS.join(', ')}`);
    const run = await runSyncWithFaults(stack, {
      users: USERS,
      groups: GROUPS,
      concurrency: CONNECTIONS,
      faults: FAULTS,
      onOperation: (done) => {
        if (done % 1000 === 0) console.log(`  ${done}/${total}`);
      },
    });
    const { audit } = run;
    const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
    console.log(`\n## Fault suite (npm run chaos)`);
    console.log(
      `machine: ${os.cpus().length} cores (${cpu}), node ${process.version}; PostgreSQL 17 (embedded), Redis with AOF, ` +
        `IAM and 2 gateways as processes, client and consumers on this machine\n`,
    );
    console.log(
      `${audit.operations} operations (${audit.attempts} HTTP attempts, retries included) at ${CONNECTIONS} connections ` +
        `in ${(run.durationMs / 1000).toFixed(1)} s; ${audit.events} events, every one with every consumer ` +
        `${(run.settledMs / 1000).toFixed(1)} s after the client's last answer\n`,
    );
    console.log(
      '| fault | at operation | piece back after (ms) | first write sent after the fault acknowledged after (ms) | longest time without an acknowledgement (ms) |',
    );
    console.log('|---|---|---|---|---|');
    for (const f of run.faults)
      console.log(
        `| ${f.fault} | ${f.atOperation} | ${f.restartMs} | ${f.recoveryMs ?? 'never'} | ${f.stallMs} |`,
      );
    const retried = run.log.operations.filter((o) => o.attempts.length > 1).length;
    const figures: Array<[string, number | string]> = [
      ['operations acknowledged', `${audit.acknowledged} / ${audit.operations}`],
      ['operations that needed a retry', retried],
      ['refused (4xx) — should be 0', audit.refused.length],
      ['given up (no answer within 2 min)', audit.unacknowledged],
      ['acknowledged writes lost', audit.lost.length],
      ['changes applied twice', audit.appliedTwice.length],
      ['duplicate subjects', audit.duplicateSubjects.length],
      ['aggregates whose events are not one per change', audit.eventMismatches.length],
      ['events never published', audit.unpublishedEvents],
      ...audit.consumerMissing.map(({ consumer, missing }): [string, number] => [
        `events owed to consumer ${consumer} it never received`,
        missing,
      ]),
      ['service exits nobody asked for', run.unexpectedExits.length],
    ];
    console.log('\n| check | result |\n|---|---|');
    for (const [name, value] of figures) console.log(`| ${name} | ${value} |`);
    for (const [name, list] of Object.entries({
      refused: audit.refused,
      lost: audit.lost,
      appliedTwice: audit.appliedTwice,
      duplicateSubjects: audit.duplicateSubjects,
      eventMismatches: audit.eventMismatches,
      unexpectedExits: run.unexpectedExits,
    }))
      if (list.length) console.log(`\n${name} (first 10):\n  ${list.slice(0, 10).join('\n  ')}`);
    const broken =
      audit.refused.length +
      audit.unacknowledged +
      audit.lost.length +
      audit.appliedTwice.length +
      audit.duplicateSubjects.length +
      audit.eventMismatches.length +
      audit.unpublishedEvents +
      audit.consumerMissing.reduce((sum, c) => sum + c.missing, 0);
    process.exitCode = broken === 0 ? 0 : 1;
  } finally {
    await stack.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
