import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ProvisioningCommand, ProvisioningCommandName } from '@app/contracts';
import { GROUP_SCHEMA, USER_SCHEMA } from '@app/scim';
import { RunningApp, startIamAdmin } from '@test/support';
import { ProvisioningAuditRepository, ProvisioningAuditRow } from '../audit/provisioning-audit.repository';
import { TenantsRepository } from '../tenants/tenants.repository';
import { ProvisioningCommandsService } from './provisioning-commands.service';

/** The audit entries ProvisioningCommandsService writes, on real PostgreSQL (the IAM app in-process). */
describe('ProvisioningCommandsService: one audit entry per command outcome', () => {
  let iam: RunningApp;
  let db: DataSource;
  let service: ProvisioningCommandsService;
  let tenantId: string;
  const scimTokenId = randomUUID();
  const common = () => ({ commandId: randomUUID(), tenantId, provider: 'entra', scimTokenId });
  const createUser = (userName: string): ProvisioningCommand => ({
    ...common(),
    name: ProvisioningCommandName.CreateUser,
    document: { schemas: [USER_SCHEMA], userName, userType: 'Standard', active: true },
  });
  const entries = async (): Promise<ProvisioningAuditRow[]> =>
    (await new ProvisioningAuditRepository().page(db, tenantId, {}, undefined, 100)).reverse();
  const entryOf = async (commandId: string) => (await entries()).filter((e) => e.commandId === commandId);

  beforeAll(async () => {
    iam = await startIamAdmin({ RETENTION_INTERVAL_MS: '0' });
    db = iam.app.get(DataSource);
    service = iam.app.get(ProvisioningCommandsService);
    tenantId = (await new TenantsRepository().insert(db, { displayName: 'audit service tests' })).id;
  });
  afterAll(() => iam?.close());

  it('records a success once, in the change, however often the command is delivered', async () => {
    const command = createUser(`once-${randomUUID()}@contoso.com`);
    const first = await service.apply(command);
    expect(first).toMatchObject({ ok: true });
    await expect(service.apply(command)).resolves.toEqual(first);
    const [entry, ...more] = await entryOf(command.commandId);
    expect(more).toEqual([]);
    expect(entry).toMatchObject({
      source: 'scim',
      scimTokenId,
      provider: 'entra',
      operation: 'create',
      resourceType: 'User',
      resourceId: first.ok ? first.subject?.id : undefined,
      userName: (command as unknown as { document: { userName: string } }).document.userName,
      outcome: 'success',
      status: 201,
      changedAttributes: expect.arrayContaining(['userName', 'active']),
    });
    expect(entry!.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('a re-delivered or doubled command is answered with its first outcome, its change undone, never applied twice', async () => {
    const created = await service.apply(createUser(`redelivered-${randomUUID()}@contoso.com`));
    const subjectId = created.ok ? created.subject!.id : '';
    const patch = (value: string): ProvisioningCommand => ({
      ...common(),
      name: ProvisioningCommandName.PatchUser,
      subjectId,
      operations: [{ op: 'replace', path: 'title', value }],
    });
    const state = async () =>
      (
        await db.query(
          `SELECT s.version, s.document->>'title' AS title,
             (SELECT count(*)::int FROM subject_events e WHERE e.aggregate_id = s.id) AS events
             FROM subjects s WHERE s.id = $1`,
          [subjectId],
        )
      )[0];
    const first = patch('Engineer');
    const answered = await service.apply(first);
    await service.apply(patch('Lead'));
    const before = await state();
    expect(before).toEqual({ version: 3, title: 'Lead', events: 3 });
    // Delivered again after a later change: applying it again would set the title back.
    await expect(service.apply(first)).resolves.toEqual(answered);
    expect(await state()).toEqual(before);
    // Two deliveries at once (one batch): one applies, the other gets its outcome.
    const doubled = patch('Director');
    const [a, b] = await Promise.all([service.apply(doubled), service.apply(doubled)]);
    expect(b).toEqual(a);
    expect(await state()).toEqual({ version: 4, title: 'Director', events: 4 });
    expect(await entryOf(doubled.commandId)).toHaveLength(1);
  });

  it('records a refusal once, with status, scimType and message; a re-delivery is answered, not audited', async () => {
    const userName = `dup-${randomUUID()}@contoso.com`;
    await service.apply(createUser(userName));
    const duplicate = createUser(userName.toUpperCase());
    const refused = await service.apply(duplicate);
    expect(refused).toMatchObject({ ok: false, failure: { status: 409, scimType: 'uniqueness' } });
    await expect(service.apply(duplicate)).resolves.toEqual(refused);
    expect(await entryOf(duplicate.commandId)).toEqual([
      expect.objectContaining({
        outcome: 'refused',
        status: 409,
        scimType: 'uniqueness',
        resourceId: null,
        userName: userName.toUpperCase(),
        message: expect.stringContaining('userName is already taken'),
      }),
    ]);
  });

  it('names no one for a refused patch of a missing id (404)', async () => {
    const command: ProvisioningCommand = {
      ...common(),
      name: ProvisioningCommandName.PatchUser,
      subjectId: randomUUID(),
      operations: [{ op: 'replace', path: 'title', value: 'x' }],
    };
    await service.apply(command);
    expect(await entryOf(command.commandId)).toEqual([
      expect.objectContaining({
        outcome: 'refused',
        status: 404,
        userName: null,
        resourceId: command.subjectId,
      }),
    ]);
  });

  it('records a poison command set aside as failed, with the correlation id, named from its row', async () => {
    const userName = `poison-${randomUUID()}@contoso.com`;
    const created = await service.apply(createUser(userName));
    const subjectId = created.ok ? created.subject!.id : '';
    const command: ProvisioningCommand = {
      ...common(),
      name: ProvisioningCommandName.PatchUser,
      subjectId,
      operations: [{ op: 'replace', path: 'title', value: 'x' }],
    };
    const outcome = await service.setAside(command, 3, new Error('nobody planned for this'));
    const correlationId = /correlation id ([0-9a-f-]{36})/.exec(
      outcome.ok ? '' : outcome.failure.detail,
    )?.[1];
    expect(correlationId).toBeDefined();
    // A re-delivery is answered from the recorded outcome: not applied, not audited again.
    await expect(service.apply(command)).resolves.toEqual(outcome);
    expect(await entryOf(command.commandId)).toEqual([
      expect.objectContaining({
        outcome: 'failed',
        status: 500,
        operation: 'patch',
        resourceId: subjectId,
        userName,
        message: expect.stringContaining(`correlation id ${correlationId}`),
      }),
    ]);
  });

  it('names a deprovisioned user from its tombstone and a deleted group from the row it had', async () => {
    const userName = `gone-${randomUUID()}@contoso.com`;
    const created = await service.apply(createUser(userName));
    const subjectId = created.ok ? created.subject!.id : '';
    const group = await service.apply({
      ...common(),
      name: ProvisioningCommandName.CreateGroup,
      document: { schemas: [GROUP_SCHEMA], displayName: `Gone ${userName}` },
      members: [subjectId],
    });
    const groupId = group.ok ? group.subject!.id : '';
    const deleteGroup: ProvisioningCommand = {
      ...common(),
      name: ProvisioningCommandName.DeleteGroup,
      groupId,
    };
    const deleteUser: ProvisioningCommand = {
      ...common(),
      name: ProvisioningCommandName.DeleteUser,
      subjectId,
    };
    expect(await service.apply(deleteGroup)).toEqual({ ok: true, subject: null });
    expect(await service.apply(deleteUser)).toEqual({ ok: true, subject: null });
    const all = await entries();
    expect(all.find((e) => e.resourceId === groupId && e.operation === 'create')).toMatchObject({
      changedAttributes: ['displayName', 'members'],
    });
    expect(await entryOf(deleteGroup.commandId)).toEqual([
      expect.objectContaining({ status: 204, resourceId: groupId, userName: `Gone ${userName}` }),
    ]);
    expect(await entryOf(deleteUser.commandId)).toEqual([
      expect.objectContaining({ status: 204, resourceId: subjectId, userName }),
    ]);
  });
});
