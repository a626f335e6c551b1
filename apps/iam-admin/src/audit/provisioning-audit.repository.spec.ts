import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { testFileDatabaseUrl } from '@test/support';
import { SubjectsRepository, subjectColumnsOf } from '../subjects/subjects.repository';
import { TenantsRepository } from '../tenants/tenants.repository';
import { decodeCursor, encodeCursor } from './audit-cursor';
import { ProvisioningAuditEntry, ProvisioningAuditRepository } from './provisioning-audit.repository';

describe('ProvisioningAuditRepository (real PostgreSQL)', () => {
  let db: DataSource;
  let tenantId: string;
  const repository = new ProvisioningAuditRepository();
  const at = new Date('2025-12-01T10:00:00.000Z');
  const entry = (overrides: Partial<ProvisioningAuditEntry> = {}): ProvisioningAuditEntry => ({
    tenantId,
    occurredAt: at,
    source: 'scim',
    operation: 'patch',
    resourceType: 'User',
    resourceId: randomUUID(),
    userName: 'someone@contoso.com',
    outcome: 'success',
    status: 200,
    durationMs: 3.6,
    ...overrides,
  });

  beforeAll(async () => {
    db = await new DataSource({ type: 'postgres', url: await testFileDatabaseUrl() }).initialize();
    tenantId = (await new TenantsRepository().insert(db, { displayName: 'audit repository tests' })).id;
  });
  afterAll(() => db?.destroy());

  it('pages by (occurredAt, id), newest first: entries of the same instant neither repeat nor go missing', async () => {
    const tenant = (await new TenantsRepository().insert(db, { displayName: 'paging' })).id;
    for (let i = 0; i < 5; i++)
      await repository.insert(db, entry({ tenantId: tenant, userName: `same-${i}` }));
    const first = await repository.page(db, tenant, {}, undefined, 2);
    // Inserted while an operator pages: newer, so it shows on a fresh first page, not in the middle.
    await repository.insert(db, entry({ tenantId: tenant, occurredAt: new Date(at.getTime() + 1000) }));
    const second = await repository.page(db, tenant, {}, decodeCursor(encodeCursor(first[1]!)), 2);
    const third = await repository.page(db, tenant, {}, decodeCursor(encodeCursor(second[1]!)), 2);
    expect([...first, ...second, ...third].map((e) => e.userName)).toEqual([
      'same-4',
      'same-3',
      'same-2',
      'same-1',
      'same-0',
    ]);
  });

  it('takes the userName from the resource row when the caller has none, and none for an unknown id', async () => {
    const tenant = (await new TenantsRepository().insert(db, { displayName: 'names' })).id;
    await repository.insert(db, entry({ tenantId: tenant, userName: undefined, resourceId: randomUUID() }));
    await repository.insert(db, entry({ tenantId: tenant, userName: undefined, resourceId: 'not-a-uuid' }));
    const rows = await repository.page(db, tenant, {}, undefined, 10);
    expect(rows.map((r) => r.userName)).toEqual([null, null]);
    expect(rows[0]).toMatchObject({ changedAttributes: [], decisions: [], durationMs: 4, actor: null });
  });

  it('writes a batch in one statement, in order, each entry named by its caller or from its own row', async () => {
    const tenant = (await new TenantsRepository().insert(db, { displayName: 'batch' })).id;
    const subject = await new SubjectsRepository().insert(
      db,
      tenant,
      subjectColumnsOf({ schemas: [], userName: 'dana@contoso.com' }),
      { provider: 'entra', source: 'scim' },
    );
    await repository.insert(
      db,
      entry({ tenantId: tenant, userName: undefined, resourceId: subject.id.toUpperCase(), status: 204 }),
      entry({
        tenantId: tenant,
        userName: 'given@contoso.com',
        changedAttributes: ['title'],
        decisions: ['d'],
      }),
      entry({ tenantId: tenant, userName: undefined, resourceType: 'Group', resourceId: randomUUID() }),
    );
    const rows = (await repository.page(db, tenant, {}, undefined, 10)).reverse();
    expect(rows).toEqual([
      expect.objectContaining({ userName: 'dana@contoso.com', resourceId: subject.id, status: 204 }),
      expect.objectContaining({
        userName: 'given@contoso.com',
        changedAttributes: ['title'],
        decisions: ['d'],
      }),
      expect.objectContaining({ userName: null, resourceType: 'Group' }),
    ]);
    expect(Number(rows[0]!.id)).toBeLessThan(Number(rows[2]!.id));
  });

  it('filters: userName ignoring case, time range half-open, outcome, resource', async () => {
    const tenant = (await new TenantsRepository().insert(db, { displayName: 'filters' })).id;
    const resourceId = randomUUID();
    await repository.insert(db, entry({ tenantId: tenant, userName: 'Carol@Contoso.com', resourceId }));
    await repository.insert(
      db,
      entry({
        tenantId: tenant,
        occurredAt: new Date(at.getTime() + 60_000),
        outcome: 'refused',
        status: 409,
      }),
    );
    const page = (filter: Parameters<ProvisioningAuditRepository['page']>[2]) =>
      repository.page(db, tenant, filter, undefined, 10);
    expect(await page({ userName: 'carol@contoso.COM' })).toHaveLength(1);
    expect(await page({ userName: 'carol' })).toHaveLength(0);
    expect(await page({ from: at, to: new Date(at.getTime() + 60_000) })).toHaveLength(1);
    expect(await page({ outcome: 'refused' })).toMatchObject([{ status: 409 }]);
    expect(await page({ resourceId: resourceId.toUpperCase() })).toMatchObject([{ resourceId }]);
    expect(await repository.page(db, tenantId, { resourceId }, undefined, 10)).toEqual([]);
  });

  it('refuses a cursor it did not give out', () => {
    expect(() => decodeCursor('x')).toThrow(/cursor/);
    expect(() =>
      decodeCursor(Buffer.from(JSON.stringify(['2025-12-01T10:00:00Z', '1'])).toString('base64url')),
    ).toThrow(/cursor/);
    expect(decodeCursor(encodeCursor({ occurredAt: at, id: '42' }))).toEqual({ occurredAt: at, id: '42' });
  });
});
