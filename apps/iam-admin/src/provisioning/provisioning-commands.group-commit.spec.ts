import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ProvisioningCommand, ProvisioningCommandName, ProvisioningOutcome } from '@app/contracts';
import { USER_SCHEMA } from '@app/scim';
import { RunningApp, startIamAdmin } from '@test/support';
import { SubjectEventsRepository } from '../events/subject-events.repository';
import { TenantsRepository } from '../tenants/tenants.repository';
import { ProvisioningCommandsService } from './provisioning-commands.service';
import { UserCommandsHandler } from './user-commands.handler';

/** Group commit on real PostgreSQL: commands applied at once share one transaction, each behind its savepoint. */
describe('ProvisioningCommandsService: group commit', () => {
  let iam: RunningApp;
  let db: DataSource;
  let service: ProvisioningCommandsService;
  let users: UserCommandsHandler;
  let tenantId: string;
  const createUser = (userName: string): ProvisioningCommand => ({
    commandId: randomUUID(),
    tenantId,
    provider: 'entra',
    scimTokenId: randomUUID(),
    name: ProvisioningCommandName.CreateUser,
    document: { schemas: [USER_SCHEMA], userName, userType: 'Standard', active: true },
  });
  /** When each command's transaction began (`now()` of the transaction that recorded its outcome). */
  const transactionsOf = async (commands: ProvisioningCommand[]): Promise<number> =>
    (
      await db.query(
        `SELECT count(DISTINCT applied_at)::int AS n FROM provisioning_commands WHERE command_id = ANY($1)`,
        [commands.map((c) => c.commandId)],
      )
    )[0].n;
  const subjectsNamed = async (userNames: string[]): Promise<string[]> =>
    (
      await db.query(`SELECT user_name FROM subjects WHERE tenant_id = $1 AND user_name = ANY($2)`, [
        tenantId,
        userNames,
      ])
    ).map((r: { user_name: string }) => r.user_name);

  beforeAll(async () => {
    iam = await startIamAdmin({
      RETENTION_INTERVAL_MS: '0',
      PROVISIONING_GROUP_COMMIT_MAX: '8',
      PROVISIONING_GROUP_COMMIT_TRANSACTIONS: '1',
    });
    db = iam.app.get(DataSource);
    service = iam.app.get(ProvisioningCommandsService);
    users = iam.app.get(UserCommandsHandler);
    tenantId = (await new TenantsRepository().insert(db, { displayName: 'group commit tests' })).id;
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(() => iam?.close());

  it('applies commands sent at once in one transaction; a refusal and a repeated command are answered as alone', async () => {
    const name = (i: number) => `gc-${i}-${randomUUID()}@contoso.com`;
    const accepted = [createUser(name(1)), createUser(name(2)), createUser(name(3))];
    const taken = createUser(userNameOf(accepted[0]!).toUpperCase());
    const outcomes = await Promise.all(
      [...accepted, taken, accepted[1]!].map((command) => service.apply(command)),
    );
    expect(outcomes.slice(0, 3)).toEqual(
      accepted.map(() =>
        expect.objectContaining({ ok: true, subject: expect.objectContaining({ id: expect.any(String) }) }),
      ),
    );
    expect(outcomes[3]).toMatchObject({ ok: false, failure: { status: 409, scimType: 'uniqueness' } });
    // The same command twice in one batch: applied once, the second answered from its outcome.
    expect(outcomes[4]).toEqual(outcomes[1]);
    expect(await transactionsOf([...accepted, taken])).toBe(1);
    await expect(service.apply(taken)).resolves.toEqual(outcomes[3]);
  });

  it("writes a batch's events in one statement: only its applied commands', numbered per subject in command order", async () => {
    const created = await service.apply(createUser(`gc-events-${randomUUID()}@contoso.com`));
    const subjectId = created.ok ? created.subject!.id : '';
    const patch = (path: string, value: unknown): ProvisioningCommand => ({
      commandId: randomUUID(),
      tenantId,
      provider: 'entra',
      scimTokenId: randomUUID(),
      name: ProvisioningCommandName.PatchUser,
      subjectId,
      operations: [{ op: 'replace', path, value }],
    });
    const appends = jest.spyOn(SubjectEventsRepository.prototype, 'append');
    const outcomes = await Promise.all(
      [
        patch('title', 'One'),
        patch('userName', ''), // refused: rolled back to its savepoint, it leaves no event
        patch('title', 'Two'),
        patch('active', false),
      ].map((command) => service.apply(command)),
    );
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, true, true]);
    expect(appends).toHaveBeenCalledTimes(1);
    const events = await db.query(
      `SELECT sequence::int, event->>'type' AS type, event->'state'->>'title' AS title
         FROM subject_events WHERE aggregate_id = $1 ORDER BY position`,
      [subjectId],
    );
    expect(events).toEqual([
      { sequence: 1, type: 'subject.created', title: null },
      { sequence: 2, type: 'subject.updated', title: 'One' },
      { sequence: 3, type: 'subject.updated', title: 'Two' },
      { sequence: 4, type: 'subject.deactivated', title: 'Two' },
    ]);
  });

  it("applies each command in its own worker's context (its trace and correlation id), not the batch's first", async () => {
    const request = new AsyncLocalStorage<string>();
    const seen = new Map<string, string | undefined>();
    const create = users.create.bind(users);
    jest.spyOn(users, 'create').mockImplementation((em, command, context) => {
      seen.set(String(command.document.userName), request.getStore());
      return create(em, command, context);
    });
    const first = createUser(`ctx-a-${randomUUID()}@contoso.com`);
    const second = createUser(`ctx-b-${randomUUID()}@contoso.com`);
    await Promise.all([
      request.run('request a', () => service.apply(first)),
      request.run('request b', () => service.apply(second)),
    ]);
    expect(await transactionsOf([first, second])).toBe(1);
    expect(seen.get(userNameOf(first))).toBe('request a');
    expect(seen.get(userNameOf(second))).toBe('request b');
  });

  it('a command that fails for no known reason fails alone; the others of its batch commit', async () => {
    const create = users.create.bind(users);
    jest.spyOn(users, 'create').mockImplementation((em, command, context) => {
      if ((command.document as { userName: string }).userName.startsWith('boom-'))
        throw new TypeError('nobody planned for this');
      return create(em, command, context);
    });
    const good = createUser(`fine-${randomUUID()}@contoso.com`);
    const bad = createUser(`boom-${randomUUID()}@contoso.com`);
    const [ok, failed] = await Promise.allSettled([service.apply(good), service.apply(bad)]);
    expect(ok).toMatchObject({ status: 'fulfilled', value: { ok: true } });
    expect(failed).toMatchObject({ status: 'rejected', reason: expect.any(TypeError) });
    expect(await subjectsNamed([userNameOf(good), userNameOf(bad)])).toEqual([userNameOf(good)]);
    // Nothing recorded for the failed command: its retry applies it.
    jest.restoreAllMocks();
    await expect(service.apply(bad)).resolves.toMatchObject({ ok: true });
  });

  it('a database fault fails the whole batch, nothing of it committed, and every command applies on retry', async () => {
    const create = users.create.bind(users);
    jest.spyOn(users, 'create').mockImplementation(async (em, command, context) => {
      if ((command.document as { userName: string }).userName.startsWith('fault-'))
        throw Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' });
      return create(em, command, context);
    });
    const good = createUser(`fine-${randomUUID()}@contoso.com`);
    const faulty = createUser(`fault-${randomUUID()}@contoso.com`);
    const settled = await Promise.allSettled([service.apply(good), service.apply(faulty)]);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
    expect(await subjectsNamed([userNameOf(good), userNameOf(faulty)])).toEqual([]);
    jest.restoreAllMocks();
    const retried: ProvisioningOutcome[] = await Promise.all([service.apply(good), service.apply(faulty)]);
    expect(retried).toEqual([expect.objectContaining({ ok: true }), expect.objectContaining({ ok: true })]);
  });
});

const userNameOf = (command: ProvisioningCommand): string =>
  'document' in command ? String(command.document.userName) : '';
