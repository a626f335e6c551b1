import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { DataSource } from 'typeorm';
import { ProvisioningClient } from '../../apps/scim-gateway/src/provisioning/provisioning-client';
import { http, ScimStack, startScimStack } from '@test/support';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** Changes that race each other never leave a state no single order of them could have produced. */
describe('races between provisioning commands', () => {
  let s: ScimStack;
  let db: DataSource;
  beforeAll(async () => {
    s = await startScimStack();
    db = s.iam.app.get(DataSource);
  });
  afterAll(() => s.close());

  it('a member added while its user is being deprovisioned leaves no membership behind', async () => {
    const user = await s.scim('POST', '/Users', {
      schemas: [USER],
      userName: `racer-${randomUUID()}@contoso.com`,
    });
    const group = await s.scim('POST', '/Groups', { schemas: [GROUP], displayName: `Race ${randomUUID()}` });
    expect([user.status, group.status]).toEqual([201, 201]);

    // The deprovisioning, held open half-way: the subject row locked and marked deleted, its
    // memberships removed, not yet committed (what IAM's delete command does in one transaction).
    const deleting = db.createQueryRunner();
    await deleting.connect();
    await deleting.startTransaction();
    let add: Promise<{ status: number }> | undefined;
    try {
      await deleting.query(`SELECT id FROM subjects WHERE id = $1 FOR UPDATE`, [user.body.id]);
      await deleting.query(`UPDATE subjects SET deleted_at = now(), active = false WHERE id = $1`, [
        user.body.id,
      ]);
      await deleting.query(`DELETE FROM group_members WHERE subject_id = $1`, [user.body.id]);

      // Entra adds the member meanwhile: the user still looks live to a plain read.
      add = s.scim('PATCH', `/Groups/${group.body.id}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'add', path: 'members', value: [{ value: user.body.id }] }],
      });
      await new Promise((resolve) => setTimeout(resolve, 500));
      await deleting.commitTransaction();
    } finally {
      if (deleting.isTransactionActive) await deleting.rollbackTransaction();
      await deleting.release();
    }
    expect((await add!).status).toBe(204);

    const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM group_members WHERE subject_id = $1`, [
      user.body.id,
    ]);
    expect(n).toBe(0);
    const members = await http(s.iam.url, 'GET', `/v1/groups/${group.body.id}/members`, {
      token: s.platformToken,
      tenantId: s.tenantId,
    });
    expect(members.body.total).toBe(0);
  });

  it('operators and SCIM never list a deprovisioned subject as a member, even if a row was left', async () => {
    const user = await s.scim('POST', '/Users', {
      schemas: [USER],
      userName: `ghost-${randomUUID()}@contoso.com`,
    });
    const group = await s.scim('POST', '/Groups', {
      schemas: [GROUP],
      displayName: `Ghosts ${randomUUID()}`,
      members: [{ value: user.body.id }],
    });
    // A membership row of a deleted subject (as an older version could leave behind).
    await db.query(`UPDATE subjects SET deleted_at = now(), active = false WHERE id = $1`, [user.body.id]);
    const admin = { token: s.platformToken, tenantId: s.tenantId };
    const members = await http(s.iam.url, 'GET', `/v1/groups/${group.body.id}/members`, admin);
    expect({ total: members.body.total, items: members.body.items }).toEqual({ total: 0, items: [] });
    expect((await http(s.iam.url, 'GET', `/v1/groups/${group.body.id}`, admin)).body.memberCount).toBe(0);
    expect((await s.scim('GET', `/Groups/${group.body.id}`)).body.members).toBeUndefined();
  });

  it('writes waiting at once for their outcomes share one listener (no MaxListenersExceededWarning under load)', async () => {
    // BullMQ's waitUntilFinished added a listener per waiting job to the queue ('closing') as well.
    const client = s.gateway.app.get(ProvisioningClient) as unknown as Record<
      'events' | 'queue',
      EventEmitter
    >;
    const emitters = [client.events, client.queue];
    let most = 0;
    const sample = setInterval(() => {
      for (const emitter of emitters)
        for (const name of emitter.eventNames()) most = Math.max(most, emitter.listenerCount(name));
    }, 2);
    try {
      const answers = await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          s.scim('POST', '/Users', { schemas: [USER], userName: `burst-${i}-${randomUUID()}@contoso.com` }),
        ),
      );
      expect(answers.map((a) => a.status)).toEqual(answers.map(() => 201));
    } finally {
      clearInterval(sample);
    }
    // Node warns past the emitter's limit (10): one listener per event serves every waiting write.
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(Math.min(...emitters.map((e) => e.getMaxListeners())));
  });
});
