import { randomUUID } from 'node:crypto';
import { ScimStack, startScimStack } from '@test/support';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

/**
 * A whole Entra ID provisioning cycle for one user, request by request as Microsoft's
 * "develop a SCIM endpoint" tutorial documents it, against the real gateway → queue → IAM path.
 */
describe('Entra ID provisioning cycle replay', () => {
  let s: ScimStack;
  beforeAll(async () => {
    s = await startScimStack();
  });
  afterAll(() => s?.close());

  it.each(['default', 'aadOptscim062020'])('runs the cycle with the %s request shapes', async (variant) => {
    const flag = variant === 'aadOptscim062020';
    const q = flag ? '?aadOptscim062020' : '';
    const join = (path: string) => (flag ? `${path}${path.includes('?') ? '&' : '?'}aadOptscim062020` : path);

    // 1. Test Connection: a user that cannot exist → 200 with an empty ListResponse.
    const probe = await s.scim('GET', join(`/Users?filter=userName+eq+%22${randomUUID()}%22`));
    expect(probe.status).toBe(200);
    expect(probe.body).toMatchObject({ schemas: [LIST], totalResults: 0, Resources: [] });

    // 2. Match: get user by query on the matching attribute — zero results, so create.
    const id = randomUUID();
    const userName = `Test_User_${id}`;
    const zero = await s.scim('GET', join(`/Users?filter=userName+eq+%22${userName}%22`));
    expect(zero.body.totalResults).toBe(0);

    // 3. Create User.
    const created = await s.scim('POST', `/Users${q}`, {
      schemas: [USER, ENTERPRISE],
      externalId: randomUUID(),
      userName,
      active: true,
      emails: [{ primary: true, type: 'work', value: `Test_User_${randomUUID()}@testuser.com` }],
      meta: { resourceType: 'User' },
      name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
      roles: [],
    });
    expect(created.status).toBe(201);
    const userId = created.body.id;

    // 4. Get User by query (the next cycle's match) and by id.
    const byQuery = await s.scim('GET', join(`/Users?filter=userName+eq+%22${userName}%22`));
    expect(byQuery.body.totalResults).toBe(1);
    expect(byQuery.body.Resources[0].id).toBe(userId);
    expect((await s.scim('GET', join(`/Users/${userId}`))).body.userName).toBe(userName);

    // 5. Update User [Multi-valued properties].
    const multi = await s.scim('PATCH', join(`/Users/${userId}`), {
      schemas: [PATCH_OP],
      Operations: [
        { op: 'Replace', path: 'emails[type eq "work"].value', value: 'updatedEmail@microsoft.com' },
        { op: 'Replace', path: 'name.familyName', value: 'updatedFamilyName' },
      ],
    });
    expect(multi.status).toBe(200);
    expect(multi.body.emails).toEqual([{ primary: true, type: 'work', value: 'updatedEmail@microsoft.com' }]);
    expect(multi.body.name.familyName).toBe('updatedFamilyName');

    // 6. Update User [Single-valued properties].
    const renamed = `${randomUUID()}@testuser.com`;
    const single = await s.scim('PATCH', join(`/Users/${userId}`), {
      schemas: [PATCH_OP],
      Operations: [{ op: 'Replace', path: 'userName', value: renamed }],
    });
    expect(single.body.userName).toBe(renamed);

    // 7. Enterprise attributes and manager, each shape as Entra sends it.
    const enterprise = await s.scim('PATCH', join(`/Users/${userId}`), {
      schemas: [PATCH_OP],
      Operations: flag
        ? [{ op: 'replace', value: { [`${ENTERPRISE}:department`]: 'Finance', 'name.givenName': 'Given' } }]
        : [
            { op: 'Add', path: `${ENTERPRISE}:department`, value: 'Finance' },
            { op: 'Replace', path: 'name.givenName', value: 'Given' },
          ],
    });
    expect(enterprise.body[ENTERPRISE].department).toBe('Finance');
    expect(enterprise.body.name).toEqual({
      formatted: 'givenName familyName',
      familyName: 'updatedFamilyName',
      givenName: 'Given',
    });

    // 8. Disable User (unassigned, out of scope or soft-deleted in Entra).
    const disable = await s.scim('PATCH', join(`/Users/${userId}`), {
      schemas: [PATCH_OP],
      Operations: flag
        ? [{ op: 'replace', value: { active: false } }]
        : [{ op: 'Replace', path: 'active', value: 'False' }],
    });
    expect(disable.status).toBe(200);
    expect(disable.body.active).toBe(false);
    const stillThere = await s.scim(
      'GET',
      join(`/Users?filter=userName+eq+%22${encodeURIComponent(renamed)}%22`),
    );
    expect(stillThere.body.Resources[0]).toMatchObject({ id: userId, active: false });

    // 9. Re-enable, then hard delete (30 days later in Entra).
    const enable = await s.scim('PATCH', join(`/Users/${userId}`), {
      schemas: [PATCH_OP],
      Operations: [{ op: 'Replace', path: 'active', value: 'True' }],
    });
    expect(enable.body.active).toBe(true);
    expect((await s.scim('DELETE', join(`/Users/${userId}`))).status).toBe(204);
    expect((await s.scim('GET', join(`/Users/${userId}`))).status).toBe(404);
    const gone = await s.scim('GET', join(`/Users?filter=userName+eq+%22${encodeURIComponent(renamed)}%22`));
    expect(gone.body.totalResults).toBe(0);
  });

  it('runs the group part of a cycle: probe, create, match, members added and removed in batches, rename, delete', async () => {
    const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
    const ADSCIM = 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group';
    // Test Connection also reads a group that cannot exist.
    const probe = await s.scim(
      'GET',
      `/Groups?excludedAttributes=members&filter=displayName+eq+%22${randomUUID()}%22`,
    );
    expect(probe.status).toBe(200);
    expect(probe.body).toMatchObject({ schemas: [LIST], totalResults: 0, Resources: [] });

    const members = await Promise.all(
      [1, 2, 3].map(
        async (i) =>
          (await s.scim('POST', '/Users', { schemas: [USER], userName: `gm${i}-${randomUUID()}@x.test` }))
            .body.id as string,
      ),
    );
    const displayName = `Group_${randomUUID()}`;
    const match = await s.scim(
      'GET',
      `/Groups?excludedAttributes=members&filter=displayName+eq+%22${displayName}%22`,
    );
    expect(match.body.totalResults).toBe(0);
    const created = await s.scim('POST', '/Groups', {
      schemas: [GROUP, ADSCIM],
      externalId: randomUUID(),
      displayName,
      members: [],
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    const byId = await s.scim('GET', `/Groups/${id}?excludedAttributes=members`);
    expect(byId.body).toMatchObject({ id, displayName });

    const add = await s.scim('PATCH', `/Groups/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'Add', path: 'members', value: members.map((value) => ({ $ref: null, value })) }],
    });
    expect(add.status).toBe(204);
    const remove = await s.scim('PATCH', `/Groups/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'Remove', path: 'members', value: [{ value: members[0] }] }],
    });
    expect(remove.status).toBe(204);
    const rename = await s.scim('PATCH', `/Groups/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'Replace', path: 'displayName', value: `${displayName}_renamed` }],
    });
    expect(rename.status).toBe(204);
    const read = await s.scim('GET', `/Groups/${id}`);
    expect(read.body.displayName).toBe(`${displayName}_renamed`);
    expect(read.body.members.map((m: { value: string }) => m.value).sort()).toEqual(members.slice(1).sort());
    expect((await s.scim('DELETE', `/Groups/${id}`)).status).toBe(204);
    expect((await s.scim('GET', `/Groups/${id}`)).status).toBe(404);
  });
});
