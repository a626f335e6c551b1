import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import {
  SUBJECT_EVENTS_SPEC_VERSION,
  SubjectEvent,
  SubjectEventSource,
  SubjectEventType,
} from '@app/contracts';
import { traceContextFields } from '@app/platform/tracing';
import { subjectPolicyFacts } from '../provisioning-policy/subject-policy-facts';
import type { SubjectRow } from '../subjects/subjects.repository';
import { OutboxEvent, SubjectEventsRepository } from './subject-events.repository';

/** An event as a change records it; id, sequence and occurredAt are given by the outbox. */
export type PendingEvent = Omit<SubjectEvent, 'id' | 'sequence' | 'occurredAt' | 'specVersion' | 'source'>;

/**
 * The transactional outbox: events are rows written by the same transaction as the change, so a
 * change that rolls back leaves no event and a committed change always has one. Sequences are
 * per subject (subject.* and membership events) or per group (group.* events), numbered as the
 * rows are appended (SubjectEventsRepository).
 */
@Injectable()
export class SubjectEventsOutbox {
  constructor(private readonly outbox: SubjectEventsRepository) {}

  /**
   * Records a change's events in its transaction. With `held`, they are added there instead, for
   * the caller to write with others in one statement (`append`) before the transaction commits: a
   * group-commit batch writes all its commands' events at once.
   */
  async record(
    em: EntityManager,
    source: SubjectEventSource,
    events: PendingEvent[],
    held?: OutboxEvent[],
  ): Promise<void> {
    if (events.length === 0) return;
    // The change's trace (when one is recorded): the relay's publish and webhook deliveries join it.
    const trace = traceContextFields();
    const rows: OutboxEvent[] = events.map((event) => ({
      aggregate_id: aggregateOf(event),
      tenant_id: event.tenantId,
      event: { ...event, specVersion: SUBJECT_EVENTS_SPEC_VERSION, source, ...trace },
    }));
    if (held) held.push(...rows);
    else await this.append(em, rows);
  }

  /** Writes rows in the order given (their sequences follow it per aggregate). */
  async append(em: EntityManager, rows: OutboxEvent[]): Promise<void> {
    if (rows.length === 0) return;
    await this.outbox.append(
      em,
      rows.map((row, ord) => ({ ...row, ord })),
    );
  }
}

function aggregateOf(event: PendingEvent): string {
  if (event.type.startsWith('tenant.')) return event.tenantId;
  const groupEvent = event.type.startsWith('group.');
  const id = groupEvent ? event.groupId : event.subjectId;
  if (!id) throw new Error(`event ${event.type} has no ${groupEvent ? 'groupId' : 'subjectId'}`);
  return id;
}

/** Which event an update of a subject is: deactivation and reactivation are named as such. */
export function subjectUpdateType(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): SubjectEventType {
  const was = before.active !== false;
  const is = after.active !== false;
  if (was && !is) return SubjectEventType.SubjectDeactivated;
  if (!was && is) return SubjectEventType.SubjectReactivated;
  return SubjectEventType.SubjectUpdated;
}

/** What events carry as a subject's or group's state: its id and SCIM document (documents hold no secrets). */
export function stateOf(row: { id: string; document: Record<string, unknown> }): Record<string, unknown> {
  return { id: row.id, ...row.document };
}

/** What a subject.* event carries about the subject: its state and its tenant-policy facts. */
export function subjectStateOf(
  subject: SubjectRow,
): Pick<PendingEvent, 'state' | 'access' | 'roles' | 'userType' | 'folders' | 'metadata' | 'managedBy'> {
  return { state: stateOf(subject), ...subjectPolicyFacts(subject) };
}

/** Top-level attributes whose values differ. */
export function changedAttributes(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k])).sort();
}
