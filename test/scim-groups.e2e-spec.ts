import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { http, ScimStack, startScimStack, withTenant } from '@test/support';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const ADSCIM_GROUP = 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

const ops = (...Operations: unknown[]) => ({ schemas: [PATCH_OP], Operations });

describe('SCIM /Groups with membership as rows', () => {
  let s: ScimStack;
  const unique = (label: string) => `${label} ${randomUUID().slice(0, 8)}`;
  const newUser = async (label = 'member') => {
    const userName = `${label}-${randomUUID().slice(0, 8)}@contoso.com`;
    const res = await s.scim('POST', '/Users', {
      schemas: [USER],
      userName,
      displayName: `Display ${userName}`,
    });
    if (res.status !== 201) throw new Error(res.text);
    return res.body as { id: string; userName: string };
  };
  /** The body Entra ID sends on POST /Groups. */
  const newGroup = async (displayName = unique('Group'), members: string[] = []) => {
    const res = await s.scim('POST', '/Groups', {
      schemas: [GROUP, ADSCIM_GROUP],
      externalId: randomUUID(),
      displayName,
      members: members.map((value) => ({ value })),
    });
    if (res.status !== 201) throw new Error(res.text);
    return res.body as { id: string; displayName: string; externalId: string; meta: { version: string } };
  };
  const memberIds = async (groupId: string) =>
    ((await s.scim('GET', `/Groups/${groupId}`)).body.members as Array<{ value: string }>)
      .map((m) => m.value)
      .sort();

  beforeAll(async () => {
    s = await startScimStack();
  });
  afterAll(() => s?.close());

  it('creates a group from the Entra body: 201, Location, non-standard schema kept, no empty members', async () => {
    const displayName = unique('Sales and Marketing');
    const res = await s.scim('POST', '/Groups', {
      schemas: [GROUP, ADSCIM_GROUP],
      externalId: 'ext-1',
      displayName,
      members: [],
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`${s.gateway.url}${s.base}/Groups/${res.body.id}`);
    expect(res.body).toMatchObject({
      schemas: [GROUP, ADSCIM_GROUP],
      displayName,
      externalId: 'ext-1',
      meta: { resourceType: 'Group', version: 'W/"1"' },
    });
    // An empty multi-valued attribute is left out (RFC 7643 §2.5), members included.
    expect(res.body).not.toHaveProperty('members');
  });

  it('refuses a duplicate displayName case-insensitively with 409 uniqueness', async () => {
    const group = await newGroup();
    const again = await s.scim('POST', '/Groups', {
      schemas: [GROUP],
      displayName: group.displayName.toUpperCase(),
    });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ schemas: [ERROR], status: '409', scimType: 'uniqueness' });
  });

  it('creates a group with members, rendered as {value, $ref, display, type}', async () => {
    const a = await newUser();
    const res = await s.scim('POST', '/Groups', {
      schemas: [GROUP],
      displayName: unique('With members'),
      members: [{ value: a.id }],
    });
    expect(res.status).toBe(201);
    expect(res.body.members).toEqual([
      {
        value: a.id,
        $ref: `${s.gateway.url}${s.base}/Users/${a.id}`,
        display: `Display ${a.userName}`,
        type: 'User',
      },
    ]);
  });

  it('reads with excludedAttributes=members (by id and by displayName filter) without members', async () => {
    const a = await newUser();
    const group = await newGroup(unique('Excluded'), [a.id]);
    const byId = await s.scim('GET', `/Groups/${group.id}?excludedAttributes=members`);
    expect(byId.status).toBe(200);
    expect(byId.body).not.toHaveProperty('members');
    expect(byId.body.displayName).toBe(group.displayName);
    const filter = encodeURIComponent(`displayName eq "${group.displayName.toLowerCase()}"`);
    const byName = await s.scim('GET', `/Groups?excludedAttributes=members&filter=${filter}`);
    expect(byName.body.totalResults).toBe(1);
    expect(byName.body.Resources[0]).not.toHaveProperty('members');
    const byExternalId = await s.scim(
      'GET',
      `/Groups?filter=${encodeURIComponent(`externalId eq "${group.externalId}"`)}`,
    );
    expect(byExternalId.body.Resources.map((g: { id: string }) => g.id)).toEqual([group.id]);
    const byMember = await s.scim(
      'GET',
      `/Groups?filter=${encodeURIComponent(`members[value eq "${a.id}"]`)}&excludedAttributes=members`,
    );
    expect(byMember.body.Resources.map((g: { id: string }) => g.id)).toEqual([group.id]);
    expect(
      (await s.scim('GET', `/Groups?filter=${encodeURIComponent(`displayName eq "${randomUUID()}"`)}`)).body
        .totalResults,
    ).toBe(0);
  });

  it('adds members with a list (204), re-adding is a no-op', async () => {
    const [a, b, c] = [await newUser(), await newUser(), await newUser()];
    const group = await newGroup();
    const add = await s.scim(
      'PATCH',
      `/Groups/${group.id}`,
      ops({
        op: 'Add',
        path: 'members',
        value: [
          { $ref: null, value: a.id },
          { $ref: null, value: b.id },
        ],
      }),
    );
    expect(add.status).toBe(204);
    expect(add.text).toBe('');
    const again = await s.scim(
      'PATCH',
      `/Groups/${group.id}`,
      ops({ op: 'add', path: 'members', value: [{ value: a.id }, { value: c.id }] }),
    );
    expect(again.status).toBe(204);
    expect(await memberIds(group.id)).toEqual([a.id, b.id, c.id].sort());
  });

  it('removes only the listed members with a value list — never the whole group', async () => {
    const [a, b, c] = [await newUser(), await newUser(), await newUser()];
    const group = await newGroup(unique('Remove list'), [a.id, b.id, c.id]);
    const res = await s.scim(
      'PATCH',
      `/Groups/${group.id}`,
      ops({ op: 'Remove', path: 'members', value: [{ value: b.id }] }),
    );
    expect(res.status).toBe(204);
    expect(await memberIds(group.id)).toEqual([a.id, c.id].sort());
  });

  it('removes one member with members[value eq "id"], and an absent member is a no-op', async () => {
    const [a, b] = [await newUser(), await newUser()];
    const group = await newGroup(unique('Remove filter'), [a.id, b.id]);
    expect(
      (
        await s.scim(
          'PATCH',
          `/Groups/${group.id}`,
          ops({ op: 'remove', path: `members[value eq "${a.id}"]` }),
        )
      ).status,
    ).toBe(204);
    expect(await memberIds(group.id)).toEqual([b.id]);
    expect(
      (
        await s.scim(
          'PATCH',
          `/Groups/${group.id}`,
          ops({ op: 'remove', path: `members[value eq "${a.id}"]` }),
        )
      ).status,
    ).toBe(204);
    expect(
      (
        await s.scim(
          'PATCH',
          `/Groups/${group.id}`,
          ops({ op: 'Remove', path: 'members', value: [{ value: randomUUID() }] }),
        )
      ).status,
    ).toBe(204);
    expect(await memberIds(group.id)).toEqual([b.id]);
  });

  it('replaces the whole member list', async () => {
    const [a, b, c] = [await newUser(), await newUser(), await newUser()];
    const group = await newGroup(unique('Replace'), [a.id, b.id]);
    expect(
      (
        await s.scim(
          'PATCH',
          `/Groups/${group.id}`,
          ops({ op: 'replace', path: 'members', value: [{ value: b.id }, { value: c.id }] }),
        )
      ).status,
    ).toBe(204);
    expect(await memberIds(group.id)).toEqual([b.id, c.id].sort());
  });

  it('renames with and without a path, capitalised ops too', async () => {
    const group = await newGroup();
    const renamed = unique('Renamed');
    const withPath = await s.scim(
      'PATCH',
      `/Groups/${group.id}`,
      ops({ op: 'Replace', path: 'displayName', value: renamed }),
    );
    expect(withPath.status).toBe(204);
    expect(withPath.headers.get('etag')).toBe('W/"2"');
    expect((await s.scim('GET', `/Groups/${group.id}`)).body.displayName).toBe(renamed);
    const again = unique('Renamed again');
    expect(
      (await s.scim('PATCH', `/Groups/${group.id}`, ops({ op: 'replace', value: { displayName: again } })))
        .status,
    ).toBe(204);
    expect((await s.scim('GET', `/Groups/${group.id}?excludedAttributes=members`)).body.displayName).toBe(
      again,
    );
  });

  it('refuses members that are not Users of this tenant with 400 invalidValue naming them, changing nothing', async () => {
    const a = await newUser();
    const group = await newGroup(unique('Unknown'), [a.id]);
    const stranger = randomUUID();
    const res = await s.scim(
      'PATCH',
      `/Groups/${group.id}`,
      ops({ op: 'Add', path: 'members', value: [{ value: stranger }, { value: 'not-a-uuid' }] }),
    );
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ schemas: [ERROR], scimType: 'invalidValue' });
    expect(res.body.detail).toContain(stranger);
    expect(res.body.detail).toContain('not-a-uuid');
    const other = await withTenant(
      s.iam,
      s.gateway,
      s.platformToken,
      (
        await http(s.iam.url, 'POST', '/v1/tenants', {
          token: s.platformToken,
          body: { displayName: 'Other' },
        })
      ).body.id,
    );
    const foreign = await other.scim('POST', '/Users', {
      schemas: [USER],
      userName: `foreign-${randomUUID()}@x.test`,
    });
    const crossing = await s.scim(
      'PATCH',
      `/Groups/${group.id}`,
      ops({ op: 'Add', path: 'members', value: [{ value: foreign.body.id }] }),
    );
    expect(crossing.status).toBe(400);
    expect(crossing.body.detail).toContain(foreign.body.id);
    expect(await memberIds(group.id)).toEqual([a.id]);
    const create = await s.scim('POST', '/Groups', {
      schemas: [GROUP],
      displayName: unique('Bad create'),
      members: [{ value: stranger }],
    });
    expect(create.status).toBe(400);
  });

  it.each([
    [{ op: 'add', path: 'members', value: [{ display: 'no value' }] }, 'invalidValue'],
    [{ op: 'replace', path: 'members[value eq "x"]', value: [] }, 'invalidPath'],
    [{ op: 'replace', path: 'owner', value: 'x' }, 'invalidPath'],
    [{ op: 'replace', path: 'displayName', value: 5 }, 'invalidValue'],
  ])('refuses %j with %s', async (operation, scimType) => {
    const group = await newGroup();
    const res = await s.scim('PATCH', `/Groups/${group.id}`, ops(operation));
    expect(res.status).toBe(400);
    expect(res.body.scimType).toBe(scimType);
  });

  it("lists a User's direct groups in its read-only groups attribute", async () => {
    const a = await newUser();
    const g1 = await newGroup(unique('G1'), [a.id]);
    const g2 = await newGroup(unique('G2'), [a.id]);
    const user = await s.scim('GET', `/Users/${a.id}`);
    expect(user.body.groups.map((g: { value: string }) => g.value).sort()).toEqual([g1.id, g2.id].sort());
    expect(user.body.groups[0]).toMatchObject({ $ref: expect.stringContaining('/Groups/'), type: 'direct' });
    const byGroup = await s.scim('GET', `/Users?filter=${encodeURIComponent(`groups.value eq "${g1.id}"`)}`);
    expect(byGroup.body.Resources.map((u: { id: string }) => u.id)).toEqual([a.id]);
  });

  it('drops memberships when a User or a Group is deleted', async () => {
    const [a, b] = [await newUser(), await newUser()];
    const group = await newGroup(unique('Cascade'), [a.id, b.id]);
    expect((await s.scim('DELETE', `/Users/${a.id}`)).status).toBe(204);
    expect(await memberIds(group.id)).toEqual([b.id]);
    expect((await s.scim('DELETE', `/Groups/${group.id}`)).status).toBe(204);
    expect((await s.scim('GET', `/Groups/${group.id}`)).status).toBe(404);
    expect((await s.scim('GET', `/Users/${b.id}`)).body).not.toHaveProperty('groups');
    expect((await s.scim('DELETE', `/Groups/${group.id}`)).status).toBe(404);
    const [{ n }] = await s.iam.app
      .get(DataSource)
      .query(`SELECT count(*)::int AS n FROM group_members WHERE group_id = $1`, [group.id]);
    expect(n).toBe(0);
  });

  it('replaces a group with PUT (members included), honouring If-Match', async () => {
    const [a, b] = [await newUser(), await newUser()];
    const group = await newGroup(unique('Put'), [a.id]);
    const stale = await s.scim(
      'PUT',
      `/Groups/${group.id}`,
      { schemas: [GROUP], displayName: group.displayName },
      { 'if-match': 'W/"9"' },
    );
    expect(stale.status).toBe(412);
    const res = await s.scim(
      'PUT',
      `/Groups/${group.id}`,
      { schemas: [GROUP], displayName: `${group.displayName} v2`, members: [{ value: b.id }] },
      { 'if-match': group.meta.version },
    );
    expect(res.status).toBe(200);
    expect(res.body.members.map((m: { value: string }) => m.value)).toEqual([b.id]);
    expect(res.body.displayName).toBe(`${group.displayName} v2`);
  });

  it('builds a group of 10,500 members in batches the way Entra does, visible to operators', async () => {
    const dataSource = s.iam.app.get(DataSource);
    const tag = randomUUID().slice(0, 8);
    const ids: string[] = (
      await dataSource.query(
        `INSERT INTO subjects (tenant_id, user_name, active, document, provider, source, version)
         SELECT $1, 'bulk-' || g || '-${tag}@contoso.com', true,
                jsonb_build_object('schemas', jsonb_build_array('${USER}'), 'userName', 'bulk-' || g || '-${tag}@contoso.com'), 'entra', 'scim', 1
           FROM generate_series(1, 10500) g RETURNING id`,
        [s.tenantId],
      )
    ).map((r: { id: string }) => r.id);
    const group = await newGroup(unique('Everyone'));
    for (let i = 0; i < ids.length; i += 1050) {
      const batch = ids.slice(i, i + 1050).map((value) => ({ value }));
      const res = await s.scim(
        'PATCH',
        `/Groups/${group.id}`,
        ops({ op: 'Add', path: 'members', value: batch }),
      );
      expect(res.status).toBe(204);
    }
    // A re-sent batch (Entra retries) changes nothing.
    expect(
      (
        await s.scim(
          'PATCH',
          `/Groups/${group.id}`,
          ops({ op: 'Add', path: 'members', value: ids.slice(0, 1050).map((value) => ({ value })) }),
        )
      ).status,
    ).toBe(204);
    const admin = { token: s.platformToken, tenantId: s.tenantId };
    const summary = await http(s.iam.url, 'GET', `/v1/groups/${group.id}`, admin);
    expect(summary.body).toMatchObject({ id: group.id, memberCount: 10_500 });
    const paged: string[] = [];
    for (let offset = 0; offset < 11_000; offset += 1000) {
      const page = await http(
        s.iam.url,
        'GET',
        `/v1/groups/${group.id}/members?limit=1000&offset=${offset}`,
        admin,
      );
      expect(page.body.total).toBe(10_500);
      paged.push(...page.body.items.map((m: { id: string }) => m.id));
    }
    expect(paged).toHaveLength(10_500);
    expect(new Set(paged)).toEqual(new Set(ids));
    // A SCIM read lists at most SCIM_GROUP_MEMBERS_MAX (1,000) members and says it cut the list;
    // every member is reachable through /Users filtered by group.
    const full = await s.scim('GET', `/Groups/${group.id}`);
    expect(full.body.members).toHaveLength(1000);
    expect(full.headers.get('scim-members-truncated')).toBe('1000');
    const filter = encodeURIComponent(`groups.value eq "${group.id}"`);
    const byGroup = await s.scim('GET', `/Users?filter=${filter}&count=0`);
    expect(byGroup.body.totalResults).toBe(10_500);
  }, 60_000);

  describe('operator API (/v1/groups, /v1/subjects)', () => {
    it('lists groups and a subject’s groups, tenant-scoped', async () => {
      const a = await newUser();
      const group = await newGroup(unique('Operators'), [a.id]);
      const admin = { token: s.platformToken, tenantId: s.tenantId };
      const groups = await http(s.iam.url, 'GET', '/v1/groups?limit=1000', admin);
      expect(groups.body.items.map((g: { id: string }) => g.id)).toContain(group.id);
      const ofSubject = await http(s.iam.url, 'GET', `/v1/subjects/${a.id}/groups`, admin);
      expect(ofSubject.body.items).toEqual([
        expect.objectContaining({ id: group.id, displayName: group.displayName, memberCount: 1 }),
      ]);
      const subject = await http(s.iam.url, 'GET', `/v1/subjects/${a.id}`, admin);
      expect(subject.body).toMatchObject({
        id: a.id,
        userName: a.userName,
        provider: s.provider,
        source: 'scim',
      });

      const otherTenant = (
        await http(s.iam.url, 'POST', '/v1/tenants', {
          token: s.platformToken,
          body: { displayName: 'Else' },
        })
      ).body.id;
      const foreign = { token: s.platformToken, tenantId: otherTenant };
      expect((await http(s.iam.url, 'GET', `/v1/groups/${group.id}`, foreign)).status).toBe(404);
      expect((await http(s.iam.url, 'GET', `/v1/groups/${group.id}/members`, foreign)).status).toBe(404);
      expect((await http(s.iam.url, 'GET', `/v1/subjects/${a.id}/groups`, foreign)).status).toBe(404);
      expect((await http(s.iam.url, 'GET', '/v1/groups', foreign)).body.total).toBe(0);
      expect((await http(s.iam.url, 'GET', '/v1/groups?limit=5000', admin)).status).toBe(400);
    });
  });
});
