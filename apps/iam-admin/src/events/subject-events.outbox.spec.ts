import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { SubjectEventType } from '@app/contracts';
import { testFileDatabaseUrl } from '@test/support';
import { changedAttributes, SubjectEventsOutbox, subjectUpdateType } from './subject-events.outbox';
import { SubjectEventsRepository } from './subject-events.repository';

describe('subject-change event helpers', () => {
  it('names deactivation and reactivation; anything else is an update', () => {
    expect(subjectUpdateType({ active: true }, { active: false })).toBe(SubjectEventType.SubjectDeactivated);
    expect(subjectUpdateType({ active: false }, { active: true })).toBe(SubjectEventType.SubjectReactivated);
    // active absent means active, as in SCIM
    expect(subjectUpdateType({}, { active: false })).toBe(SubjectEventType.SubjectDeactivated);
    expect(subjectUpdateType({ active: false }, {})).toBe(SubjectEventType.SubjectReactivated);
    expect(subjectUpdateType({ active: true }, { active: true, title: 'x' })).toBe(
      SubjectEventType.SubjectUpdated,
    );
  });

  it('lists the top-level attributes that changed, added and removed ones included, sorted', () => {
    expect(
      changedAttributes(
        { userName: 'a', name: { givenName: 'A' }, title: 'x', emails: [1] },
        { userName: 'a', name: { givenName: 'B' }, emails: [1], active: false },
      ),
    ).toEqual(['active', 'name', 'title']);
    expect(changedAttributes({ a: 1 }, { a: 1 })).toEqual([]);
  });
});

describe('SubjectEventsOutbox writes event rows in the change’s transaction', () => {
  let db: DataSource;
  const outbox = new SubjectEventsOutbox(new SubjectEventsRepository());
  const tenantId = randomUUID();

  beforeAll(async () => {
    db = await new DataSource({ type: 'postgres', url: await testFileDatabaseUrl() }).initialize();
  });
  afterAll(() => db?.destroy());

  const rowsOf = (
    aggregateId: string,
  ): Promise<Array<{ sequence: string; event: Record<string, unknown> }>> =>
    db.query(`SELECT sequence, event FROM subject_events WHERE aggregate_id = $1 ORDER BY sequence`, [
      aggregateId,
    ]);

  it('numbers events per aggregate across changes: subjects by subject id, groups by group id', async () => {
    const subjectId = randomUUID();
    const groupId = randomUUID();
    await db.transaction((em) =>
      outbox.record(em, 'scim', [
        { type: SubjectEventType.SubjectCreated, tenantId, subjectId, state: { id: subjectId } },
        { type: SubjectEventType.GroupCreated, tenantId, groupId, state: { id: groupId } },
        { type: SubjectEventType.SubjectAddedToGroup, tenantId, subjectId, groupId, state: null },
      ]),
    );
    await db.transaction((em) =>
      outbox.record(em, 'sso-login', [
        {
          type: SubjectEventType.SubjectUpdated,
          tenantId,
          subjectId,
          changedAttributes: ['title'],
          state: { id: subjectId },
        },
      ]),
    );
    const subjectRows = await rowsOf(subjectId);
    expect(subjectRows.map((r) => [Number(r.sequence), r.event.type, r.event.source])).toEqual([
      [1, 'subject.created', 'scim'],
      [2, 'subject.added-to-group', 'scim'],
      [3, 'subject.updated', 'sso-login'],
    ]);
    expect(subjectRows[2]!.event).toMatchObject({ specVersion: 1, changedAttributes: ['title'], tenantId });
    expect((await rowsOf(groupId)).map((r) => [Number(r.sequence), r.event.type])).toEqual([
      [1, 'group.created'],
    ]);
  });

  it('leaves no event when the change rolls back', async () => {
    const subjectId = randomUUID();
    await expect(
      db.transaction(async (em) => {
        await outbox.record(em, 'scim', [
          { type: SubjectEventType.SubjectCreated, tenantId, subjectId, state: null },
        ]);
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await rowsOf(subjectId)).toEqual([]);
  });

  it('refuses an event without the id it is sequenced by', async () => {
    await expect(
      db.transaction((em) =>
        outbox.record(em, 'scim', [{ type: SubjectEventType.GroupUpdated, tenantId, state: null }]),
      ),
    ).rejects.toThrow('event group.updated has no groupId');
  });
});
