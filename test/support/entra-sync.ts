import { SubjectEventConsumer } from '@app/events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FaultStack } from './fault-stack';
import { http } from './fixtures';

/*
 * An Entra-like provisioning client for the fault suite: users created, updated twice, then added to a group or
 * deleted, by many connections at once; anything that is not a clear answer (503, 5xx, a dropped connection) is
 * retried, as Entra does. Every attempt is logged, so what the client was told can be compared with what IAM holds.
 */

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

export type SyncOperation =
  | { kind: 'create-group'; displayName: string }
  | { kind: 'create-user'; user: number }
  | { kind: 'rename-user'; user: number; displayName: string }
  | { kind: 'add-member'; user: number; group: number }
  | { kind: 'delete-user'; user: number };

export interface Attempt {
  sentAt: number;
  doneAt: number;
  /** HTTP status, or 0 for a connection that failed or timed out. */
  status: number;
}

export interface LoggedOperation {
  op: SyncOperation;
  attempts: Attempt[];
  /** The client was told it was done (2xx, or the 409/404 a retry meets once an earlier attempt was applied). */
  acknowledged: boolean;
  /** A final refusal the client does not retry (4xx): must not happen in this workload. */
  refused?: string;
}

export interface SyncLog {
  operations: LoggedOperation[];
  userIds: Map<number, string>;
  groupIds: string[];
  userName(user: number): string;
}

const isRetryable = (status: number) => status === 0 || status === 429 || status >= 500;

export interface SyncOptions {
  users: number;
  groups: number;
  concurrency: number;
  /** The client gives up on an operation after this long (Entra would go on for days). */
  giveUpMs?: number;
  /** Called after each logged operation (progress, fault scheduling). */
  onOperation?: (done: number) => void;
}

/** 1 operation per group, then 4 per user: create, two renames, then every fourth user deleted, the others grouped. */
export const syncOperationCount = (o: Pick<SyncOptions, 'users' | 'groups'>) => o.groups + 4 * o.users;

export async function runEntraSync(stack: FaultStack, options: SyncOptions): Promise<SyncLog> {
  const run = Math.random().toString(36).slice(2, 8);
  const log: SyncLog = {
    operations: [],
    userIds: new Map(),
    groupIds: [],
    userName: (user) => `u${user}-${run}@chaos.example`,
  };
  let turn = 0;
  const request = async (
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: any }> => {
    const live = stack.gateways();
    const gateway = live[turn++ % Math.max(live.length, 1)];
    if (!gateway) return { status: 0, body: undefined };
    try {
      const res = await fetch(`${gateway.url}/${stack.tenantId}/api/scim/v2${path}`, {
        method,
        headers: {
          authorization: `Bearer ${stack.scimToken}`,
          ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    } catch {
      return { status: 0, body: undefined };
    }
  };

  const perform = async (op: SyncOperation): Promise<void> => {
    const entry: LoggedOperation = { op, attempts: [], acknowledged: false };
    log.operations.push(entry);
    const until = Date.now() + (options.giveUpMs ?? 120_000);
    while (Date.now() < until) {
      const sentAt = Date.now();
      const res = await send(op, entry.attempts.length > 0);
      entry.attempts.push({ sentAt, doneAt: Date.now(), status: res.status });
      if (res.status >= 200 && res.status < 300) {
        entry.acknowledged = true;
        break;
      }
      if (!isRetryable(res.status)) {
        entry.refused = `${res.status} ${JSON.stringify(res.body)}`;
        break;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    options.onOperation?.(log.operations.length);
  };

  /** One attempt; a retry that finds an earlier attempt applied (409 on create, 404 on delete) is done, as for Entra. */
  const send = async (op: SyncOperation, isRetry: boolean): Promise<{ status: number; body: any }> => {
    switch (op.kind) {
      case 'create-group': {
        const res = await request('POST', '/Groups', { schemas: [GROUP], displayName: op.displayName });
        if (res.status === 201) log.groupIds.push(res.body.id);
        if (res.status === 409 && isRetry) {
          const found = await request(
            'GET',
            `/Groups?filter=${encodeURIComponent(`displayName eq "${op.displayName}"`)}`,
          );
          if (found.status !== 200) return found;
          log.groupIds.push(found.body.Resources[0].id);
          return { status: 200, body: found.body };
        }
        return res;
      }
      case 'create-user': {
        const userName = log.userName(op.user);
        const res = await request('POST', '/Users', {
          schemas: [USER],
          userName,
          externalId: `ext-${userName}`,
          displayName: `${op.user} v0`,
          active: true,
        });
        if (res.status === 201) log.userIds.set(op.user, res.body.id);
        if (res.status === 409 && isRetry) {
          const found = await request(
            'GET',
            `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`,
          );
          if (found.status !== 200) return found;
          log.userIds.set(op.user, found.body.Resources[0].id);
          return { status: 200, body: found.body };
        }
        return res;
      }
      case 'rename-user':
        return request('PATCH', `/Users/${log.userIds.get(op.user)}`, {
          schemas: [PATCH],
          Operations: [{ op: 'replace', path: 'displayName', value: op.displayName }],
        });
      case 'add-member':
        return request('PATCH', `/Groups/${log.groupIds[op.group]}`, {
          schemas: [PATCH],
          Operations: [{ op: 'add', path: 'members', value: [{ value: log.userIds.get(op.user) }] }],
        });
      case 'delete-user': {
        const res = await request('DELETE', `/Users/${log.userIds.get(op.user)}`);
        return res.status === 404 && isRetry ? { status: 204, body: undefined } : res;
      }
    }
  };

  for (let g = 0; g < options.groups; g++)
    await perform({ kind: 'create-group', displayName: `chaos-${run}-${g}` });
  let next = 0;
  const worker = async () => {
    while (next < options.users) {
      const user = next++;
      await perform({ kind: 'create-user', user });
      if (!log.userIds.has(user)) continue;
      await perform({ kind: 'rename-user', user, displayName: `${user} v1` });
      await perform({ kind: 'rename-user', user, displayName: `${user} v2` });
      if (user % 4 === 3) await perform({ kind: 'delete-user', user });
      else await perform({ kind: 'add-member', user, group: user % Math.max(log.groupIds.length, 1) });
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return log;
}

/** What one consumer received, and from which outbox position on it is owed every event. */
export interface ConsumerLog {
  name: string;
  seen: Set<string>;
  afterPosition: number;
}

/**
 * The consumers of a run, collecting event ids (they de-duplicate on id): stream consumer groups of their own (a group
 * that exists already starts where it stopped) reading from the stream's start, and a signed-webhook subscription to a
 * receiver on loopback, owed the events committed after it subscribed.
 */
export async function startEventConsumers(stack: FaultStack, groups: string[]) {
  const streamLogs: ConsumerLog[] = groups.map((name) => ({
    name,
    seen: new Set<string>(),
    afterPosition: 0,
  }));
  const consumers = streamLogs.map(
    (consumer) =>
      new SubjectEventConsumer({
        redis: stack.redisUrl,
        queuePrefix: stack.queuePrefix,
        group: consumer.name,
        startFrom: '0',
        handle: async (event) => {
          consumer.seen.add(event.id);
        },
        onError: () => undefined,
      }),
  );
  for (const consumer of consumers) await consumer.start();

  const [{ last }] = await stack.db<{ last: string }>(
    `SELECT coalesce(max(position), 0) AS last FROM subject_events`,
  );
  const webhook: ConsumerLog = { name: 'webhook', seen: new Set<string>(), afterPosition: Number(last) };
  const receiver = createServer((req, res) => {
    const id = req.headers['x-iam-event-id'];
    if (typeof id === 'string') webhook.seen.add(id);
    req.resume().on('end', () => res.writeHead(204).end());
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const { port } = receiver.address() as AddressInfo;
  const subscribed = await http(stack.iam().url, 'POST', '/v1/webhooks', {
    token: stack.adminToken,
    tenantId: stack.tenantId,
    body: { url: `http://127.0.0.1:${port}/iam-events` },
  });
  if (subscribed.status !== 201)
    throw new Error(`webhook subscription: ${subscribed.status} ${subscribed.text}`);

  return {
    logs: [...streamLogs, webhook],
    stop: async () => {
      await Promise.all(consumers.map((c) => c.stop()));
      // Unsubscribed first: IAM would go on retrying deliveries to a receiver that is gone, next to later runs'.
      await http(stack.iam().url, 'DELETE', `/v1/webhooks/${subscribed.body.id}`, {
        token: stack.adminToken,
        tenantId: stack.tenantId,
      });
      await new Promise((resolve) => receiver.close(resolve));
    },
  };
}

export interface SyncAudit {
  operations: number;
  attempts: number;
  acknowledged: number;
  refused: string[];
  unacknowledged: number;
  /** Acknowledged writes whose effect is missing from IAM. */
  lost: string[];
  /** Changes recorded more than once (the same rename, membership, creation or deletion evented twice). */
  appliedTwice: string[];
  duplicateSubjects: string[];
  /** Aggregates whose events are not exactly one per committed change (sequence gaps, counts off the version). */
  eventMismatches: string[];
  unpublishedEvents: number;
  events: number;
  /** Per consumer: events it was owed and never received. */
  consumerMissing: Array<{ consumer: string; missing: number; examples: string[] }>;
}

/** The change an operation makes, named as auditSync names the events it finds. */
function changeKey(op: SyncOperation, subjectId: string | undefined, log: SyncLog): string {
  switch (op.kind) {
    case 'create-group':
      return `group ${op.displayName}`;
    case 'create-user':
      return `created ${log.userName(op.user)}`;
    case 'rename-user':
      return `renamed ${subjectId} to ${op.displayName}`;
    case 'add-member':
      return `member ${subjectId} of ${log.groupIds[op.group]}`;
    case 'delete-user':
      return `deleted ${subjectId}`;
  }
}

/** What the client was told, against what IAM holds and what the consumers received. */
export async function auditSync(
  stack: FaultStack,
  log: SyncLog,
  consumers: ConsumerLog[],
): Promise<SyncAudit> {
  const events = await stack.db<{
    id: string;
    position: string;
    aggregate_id: string;
    sequence: string;
    published: boolean;
    type: string;
    subject_id: string | null;
    group_id: string | null;
    display_name: string | null;
    user_name: string | null;
  }>(
    `SELECT id, position, aggregate_id, sequence, published_at IS NOT NULL AS published, event->>'type' AS type,
            event->>'subjectId' AS subject_id, event->>'groupId' AS group_id,
            event->'state'->>'displayName' AS display_name, event->'state'->>'userName' AS user_name
       FROM subject_events WHERE tenant_id = $1 ORDER BY position`,
    [stack.tenantId],
  );
  const count = (key: string, counts: Map<string, number>) => counts.set(key, (counts.get(key) ?? 0) + 1);
  const changes = new Map<string, number>();
  for (const e of events) {
    if (e.type === 'subject.created') count(`created ${e.user_name}`, changes);
    if (e.type === 'subject.updated') count(`renamed ${e.subject_id} to ${e.display_name}`, changes);
    if (e.type === 'subject.deleted') count(`deleted ${e.subject_id}`, changes);
    if (e.type === 'subject.added-to-group') count(`member ${e.subject_id} of ${e.group_id}`, changes);
    if (e.type === 'group.created') count(`group ${e.display_name}`, changes);
  }
  const subjects = await stack.db<{ id: string; user_name: string; display_name: string; deleted: boolean }>(
    `SELECT id, user_name, display_name, deleted_at IS NOT NULL AS deleted FROM subjects WHERE tenant_id = $1`,
    [stack.tenantId],
  );
  const byId = new Map(subjects.map((s) => [s.id, s]));
  const members = new Set(
    (
      await stack.db<{ k: string }>(
        `SELECT m.subject_id || ' ' || m.group_id AS k FROM group_members m JOIN groups g ON g.id = m.group_id
          WHERE g.tenant_id = $1`,
        [stack.tenantId],
      )
    ).map((r) => r.k),
  );

  const lost: string[] = [];
  const lastRename = new Map<number, string>();
  for (const { op, acknowledged } of log.operations) {
    if (!acknowledged) continue;
    const id = 'user' in op ? log.userIds.get(op.user) : undefined;
    const key = changeKey(op, id, log);
    if (!changes.has(key)) lost.push(key);
    if (op.kind === 'rename-user') lastRename.set(op.user, op.displayName);
    if (op.kind === 'add-member' && !members.has(`${id} ${log.groupIds[op.group]}`))
      lost.push(`membership ${key}`);
    if (op.kind === 'delete-user' && !byId.get(id!)?.deleted) lost.push(`still live: ${key}`);
  }
  // The last acknowledged rename is what IAM holds: an earlier rename applied late would overwrite it.
  for (const [user, displayName] of lastRename) {
    const subject = byId.get(log.userIds.get(user)!);
    if (subject && !subject.deleted && subject.display_name !== displayName)
      lost.push(`user ${user} holds "${subject.display_name}", last acknowledged "${displayName}"`);
  }

  const eventMismatches: string[] = [];
  const sequences = new Map<string, number[]>();
  for (const e of events)
    sequences.set(e.aggregate_id, [...(sequences.get(e.aggregate_id) ?? []), Number(e.sequence)]);
  for (const [aggregate, seq] of sequences) {
    if (seq.some((n, i) => n !== i + 1)) eventMismatches.push(`${aggregate}: sequences ${seq.join(',')}`);
  }
  const versions = await stack.db<{ id: string; version: number; updates: number }>(
    `SELECT s.id, s.version,
            (SELECT count(*)::int FROM subject_events e WHERE e.aggregate_id = s.id
              AND e.event->>'type' IN ('subject.created', 'subject.updated', 'subject.deactivated', 'subject.reactivated',
                                       'subject.deleted'))
              AS updates
       FROM subjects s WHERE s.tenant_id = $1`,
    [stack.tenantId],
  );
  for (const v of versions) {
    if (v.version !== v.updates)
      eventMismatches.push(`subject ${v.id}: version ${v.version}, ${v.updates} change events`);
  }

  const userNames = new Map<string, number>();
  for (const s of subjects) count(s.user_name.toLowerCase(), userNames);
  return {
    operations: log.operations.length,
    attempts: log.operations.reduce((n, o) => n + o.attempts.length, 0),
    acknowledged: log.operations.filter((o) => o.acknowledged).length,
    refused: log.operations.filter((o) => o.refused).map((o) => `${JSON.stringify(o.op)}: ${o.refused}`),
    unacknowledged: log.operations.filter((o) => !o.acknowledged && !o.refused).length,
    lost,
    appliedTwice: [...changes].filter(([, n]) => n > 1).map(([key, n]) => `${key} ×${n}`),
    duplicateSubjects: [...userNames].filter(([, n]) => n > 1).map(([name, n]) => `${name} ×${n}`),
    eventMismatches,
    unpublishedEvents: events.filter((e) => !e.published).length,
    events: events.length,
    consumerMissing: consumers.map(({ name, seen, afterPosition }) => {
      const missing = events.filter((e) => Number(e.position) > afterPosition && !seen.has(e.id));
      return {
        consumer: name,
        missing: missing.length,
        examples: missing
          .slice(0, 3)
          .map((e) => `${e.type} at position ${e.position} (owed after ${afterPosition})`),
      };
    }),
  };
}

/** The longest gap between acknowledgements the client saw between `from` and `to` (from the fault to its first). */
export function stallMs(log: SyncLog, from: number, to: number): number {
  const acks = log.operations
    .flatMap((o) => o.attempts)
    .filter((a) => a.status >= 200 && a.status < 300 && a.doneAt > from && a.doneAt <= to)
    .map((a) => a.doneAt)
    .sort((a, b) => a - b);
  let longest = 0;
  let previous = from;
  for (const at of acks) {
    longest = Math.max(longest, at - previous);
    previous = at;
  }
  return longest;
}

/**
 * Time to recover from a fault injected at `faultAt`: until the first write sent after the fault was acknowledged
 * (null if none was).
 */
export function recoveryMs(log: SyncLog, faultAt: number): number | null {
  let first = Infinity;
  for (const { attempts } of log.operations)
    for (const a of attempts)
      if (a.sentAt >= faultAt && a.status >= 200 && a.status < 300) first = Math.min(first, a.doneAt);
  return first === Infinity ? null : first - faultAt;
}

export type FaultName = 'kill IAM' | 'restart Redis' | 'restart PostgreSQL' | 'kill a gateway';

export interface FaultFigure {
  fault: FaultName;
  /** When it was injected, as the count of operations the client had finished. */
  atOperation: number;
  /** Until the restarted piece was up again. */
  restartMs: number;
  /** Until the first write sent after the fault was acknowledged. */
  recoveryMs: number | null;
  /** The longest the client went without any acknowledgement, from the fault until the piece was back and 10 s more. */
  stallMs: number;
}

export interface FaultRun {
  log: SyncLog;
  audit: SyncAudit;
  faults: FaultFigure[];
  durationMs: number;
  /** From the client's last answer until every event was published and every consumer had it (or settleMs passed). */
  settledMs: number;
  unexpectedExits: string[];
}

/**
 * An Entra-like sync with faults injected at evenly spaced points, two event consumers reading throughout, then the
 * audit once every committed change has been published and consumed (or `settleMs` has passed).
 */
export async function runSyncWithFaults(
  stack: FaultStack,
  options: SyncOptions & { faults: FaultName[]; settleMs?: number },
): Promise<FaultRun> {
  const inject: Record<FaultName, () => Promise<void>> = {
    'kill IAM': stack.killIam,
    'restart Redis': stack.restartRedis,
    'restart PostgreSQL': stack.restartPostgres,
    'kill a gateway': stack.killGateway,
  };
  // Groups of their own per run: a group that exists already starts where it stopped, not at the stream's start.
  const run = Date.now().toString(36);
  const consumers = await startEventConsumers(stack, [`billing-${run}`, `access-control-${run}`]);
  const total = syncOperationCount(options);
  const schedule = options.faults.map((fault, i) => ({
    fault,
    atOperation: Math.round((total * (i + 1)) / (options.faults.length + 1)),
  }));
  const injected: Array<{ fault: FaultName; atOperation: number; at: number; restartMs: Promise<number> }> =
    [];
  let busy: Promise<unknown> = Promise.resolve();
  const started = Date.now();
  const log = await runEntraSync(stack, {
    ...options,
    onOperation: (done) => {
      const due = schedule[injected.length];
      if (!due || done < due.atOperation) return;
      const at = Date.now();
      // One fault at a time: the next waits until the previous piece is back.
      const restartMs = busy.then(() => inject[due.fault]()).then(() => Date.now() - at);
      busy = restartMs.catch(() => undefined);
      injected.push({ ...due, at, restartMs });
    },
  });
  const durationMs = Date.now() - started;
  const faults: FaultFigure[] = [];
  for (const f of injected)
    faults.push({
      fault: f.fault,
      atOperation: f.atOperation,
      restartMs: await f.restartMs,
      recoveryMs: recoveryMs(log, f.at),
      stallMs: stallMs(log, f.at, f.at + (await f.restartMs) + 10_000),
    });

  const syncEnded = Date.now();
  const settleUntil = syncEnded + (options.settleMs ?? 120_000);
  let audit = await auditSync(stack, log, consumers.logs);
  while (
    (audit.unpublishedEvents > 0 || audit.consumerMissing.some((c) => c.missing > 0)) &&
    Date.now() < settleUntil
  ) {
    await new Promise((r) => setTimeout(r, 500));
    audit = await auditSync(stack, log, consumers.logs);
  }
  const settledMs = Date.now() - syncEnded;
  await consumers.stop();
  return { log, audit, faults, durationMs, settledMs, unexpectedExits: [...stack.unexpectedExits] };
}
