import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { RunningApp, startIamAdmin } from '@test/support';
import { ProvisioningAuditRepository } from '../audit/provisioning-audit.repository';
import { IamAdminConfig } from '../config/iam-admin.config';
import { TenantsRepository } from '../tenants/tenants.repository';
import { WebhooksRepository } from '../webhooks/webhooks.repository';
import { RetentionService } from './retention.service';

const DAY_MS = 24 * 60 * 60 * 1000;

describe('RetentionService: provisioning audit log entries (real PostgreSQL)', () => {
  let iam: RunningApp;
  let db: DataSource;
  const audit = new ProvisioningAuditRepository();

  beforeAll(async () => {
    iam = await startIamAdmin({
      RETENTION_INTERVAL_MS: '0',
      RETENTION_AUDIT_DAYS: '90',
      RETENTION_BATCH_SIZE: '2',
    });
    db = iam.app.get(DataSource);
  });
  afterAll(() => iam?.close());

  const seed = async (now: Date, ageDays: number[]) => {
    const tenantId = (await new TenantsRepository().insert(db, { displayName: 'retention' })).id;
    for (const days of ageDays)
      await audit.insert(db, {
        tenantId,
        occurredAt: new Date(now.getTime() - days * DAY_MS),
        source: 'scim',
        operation: 'create',
        resourceType: 'User',
        userName: `aged-${days}@contoso.com`,
        outcome: 'success',
        status: 201,
        durationMs: 1,
      });
    return tenantId;
  };
  const names = async (tenantId: string) =>
    (await audit.page(db, tenantId, {}, undefined, 100)).map((e) => e.userName);

  it('deletes entries older than RETENTION_AUDIT_DAYS in batches, in every tenant, and keeps the rest', async () => {
    const now = new Date(Date.now() + 1000 * DAY_MS); // later than anything other tests wrote
    const a = await seed(now, [1, 89, 91, 200, 400]);
    const b = await seed(now, [95, 10]);
    const run = await iam.app.get(RetentionService).purge(now);
    expect(run).toMatchObject({ skipped: false, auditEntries: 4 }); // three batches of at most 2
    expect(await names(a)).toEqual(['aged-1@contoso.com', 'aged-89@contoso.com']);
    expect(await names(b)).toEqual(['aged-10@contoso.com']);
  });

  it('keeps everything with RETENTION_AUDIT_DAYS=0', async () => {
    const now = new Date(Date.now() + 2000 * DAY_MS);
    const tenant = await seed(now, [5000]);
    const config = iam.app.get(IamAdminConfig);
    config.RETENTION_AUDIT_DAYS = 0;
    try {
      expect((await iam.app.get(RetentionService).purge(now)).auditEntries).toBe(0);
      expect(await names(tenant)).toHaveLength(1);
    } finally {
      config.RETENTION_AUDIT_DAYS = 90;
    }
  });
});

describe('RetentionService: webhook dead letters (real PostgreSQL)', () => {
  let iam: RunningApp;
  let db: DataSource;
  const webhooks = new WebhooksRepository();

  beforeAll(async () => {
    iam = await startIamAdmin({ RETENTION_INTERVAL_MS: '0', RETENTION_DEAD_LETTERS_DAYS: '30' });
    db = iam.app.get(DataSource);
  });
  afterAll(() => iam?.close());

  it('deletes dead letters (they keep the undelivered event) older than RETENTION_DEAD_LETTERS_DAYS', async () => {
    const tenantId = (await new TenantsRepository().insert(db, { displayName: 'dead letters' })).id;
    const subscription = await webhooks.create(db, {
      id: randomUUID(),
      tenantId,
      url: 'https://hooks.example.com/iam',
      eventTypes: [],
      secretCiphertext: 'v2:test',
    });
    const letter = (eventId: string) => ({
      subscriptionId: subscription.id,
      tenantId,
      event: { id: eventId, type: 'subject.created' } as never,
    });
    const eventId = randomUUID();
    await webhooks.recordDeadLetter(db, letter(eventId), 8, 'HTTP 500');
    const lettersLeft = async () =>
      (await webhooks.deadLetters(db, tenantId, subscription.id, { limit: 10, offset: 0 })).map(
        (l) => l.eventId,
      );
    const retention = iam.app.get(RetentionService);
    // Twenty-nine days on it is kept; thirty-one days on it is gone.
    await retention.purge(new Date(Date.now() + 29 * DAY_MS));
    expect(await lettersLeft()).toEqual([eventId]);
    expect(
      (await retention.purge(new Date(Date.now() + 31 * DAY_MS))).webhookDeadLetters,
    ).toBeGreaterThanOrEqual(1);
    expect(await lettersLeft()).toEqual([]);
  });
});
