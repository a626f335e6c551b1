import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { http, ScimStack, startScimStack, withTenant } from '@test/support';
import { FOLDERS_SCHEMA, METADATA_SCHEMA } from '@app/scim';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** The body Entra ID sends on POST /Users with the default attribute mappings. */
function entraUser(userName: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schemas: [USER, ENTERPRISE],
    externalId: userName.split('@')[0],
    userName,
    active: true,
    displayName: 'Barbara Jensen',
    title: 'Sales Lead',
    emails: [{ primary: true, type: 'work', value: userName }],
    phoneNumbers: [
      { type: 'work', value: '+1 (555) 555-5555' },
      { type: 'mobile', value: '0701234567' },
    ],
    name: { formatted: 'Ms. Barbara J Jensen III', familyName: 'Jensen', givenName: 'Barbara' },
    addresses: [
      { type: 'work', streetAddress: '1 Main St', locality: 'Redmond', country: 'US', primary: true },
    ],
    [ENTERPRISE]: {
      employeeNumber: '701984',
      department: 'Sales',
      costCenter: '4130',
      organization: 'Contoso',
    },
    roles: [],
    meta: { resourceType: 'User' },
    ...extra,
  };
}

const patchOps = (...Operations: unknown[]) => ({ schemas: [PATCH_OP], Operations });

describe('SCIM /Users through gateway → BullMQ → IAM worker → PostgreSQL', () => {
  let s: ScimStack;
  const name = (label: string) => `${label}-${randomUUID().slice(0, 8)}@contoso.com`;
  const create = async (userName: string, extra: Record<string, unknown> = {}) => {
    const res = await s.scim('POST', '/Users', entraUser(userName, extra));
    if (res.status !== 201) throw new Error(`create failed ${res.status} ${res.text}`);
    return res.body;
  };

  beforeAll(async () => {
    s = await startScimStack({
      gatewayEnv: { SCIM_LAST_USED_FLUSH_MS: '200', SCIM_MAX_BODY_BYTES: '65536' },
    });
  });
  afterAll(() => s?.close());

  describe('authentication', () => {
    it('answers 401 in the SCIM error schema with WWW-Authenticate without a valid token', async () => {
      for (const token of [undefined, 'scim_wrong', 'Basic abc']) {
        const res = await http(s.gateway.url, 'GET', `${s.base}/Users`, { token });
        expect(res.status).toBe(401);
        expect(res.headers.get('www-authenticate')).toContain('Bearer');
        expect(res.headers.get('content-type')).toContain('application/scim+json');
        expect(res.body).toMatchObject({ schemas: [ERROR], status: '401' });
      }
    });

    it("refuses a token on another tenant's path", async () => {
      const otherTenant = (
        await http(s.iam.url, 'POST', '/v1/tenants', {
          token: s.platformToken,
          body: { displayName: 'Other' },
        })
      ).body.id;
      const res = await http(s.gateway.url, 'GET', `/${otherTenant}/api/scim/v2/Users`, {
        token: s.scimToken,
      });
      expect(res.status).toBe(401);
    });

    it('takes the tenant from the token on /api/scim/v2', async () => {
      const user = await create(name('tokenpath'));
      const res = await http(s.gateway.url, 'GET', `/api/scim/v2/Users/${user.id}`, { token: s.scimToken });
      expect(res.status).toBe(200);
      expect(res.body.meta.location).toBe(`${s.gateway.url}/api/scim/v2/Users/${user.id}`);
    });

    it('refuses a revoked token on the very next request', async () => {
      const other = await withTenant(s.iam, s.gateway, s.platformToken, s.tenantId);
      expect((await other.scim('GET', '/Users')).status).toBe(200);
      const revoke = await http(s.iam.url, 'DELETE', `/v1/scim/${other.scimTokenId}`, {
        token: s.platformToken,
        tenantId: s.tenantId,
      });
      expect(revoke.status).toBe(204);
      expect((await other.scim('GET', '/Users')).status).toBe(401);
      expect((await s.scim('GET', '/Users')).status).toBe(200);
    });

    it('refuses an expired token', async () => {
      const other = await withTenant(s.iam, s.gateway, s.platformToken, s.tenantId);
      await s.iam.app
        .get(DataSource)
        .query(`UPDATE scim_tokens SET expires_at = now() - interval '1 second' WHERE id = $1`, [
          other.scimTokenId,
        ]);
      expect((await other.scim('GET', '/Users')).status).toBe(401);
    });

    it('records lastUsedAt in a batch, not per request', async () => {
      await s.scim('GET', '/Users?count=0');
      await new Promise((r) => setTimeout(r, 600));
      const list = await http(s.iam.url, 'GET', '/v1/scim', { token: s.platformToken, tenantId: s.tenantId });
      const token = list.body.find((t: { id: string }) => t.id === s.scimTokenId);
      expect(token.lastUsedAt).not.toBeNull();
    });
  });

  describe('create and read', () => {
    it('creates from the Entra body: 201, Location, ETag, values exactly as sent, provider recorded', async () => {
      const userName = name('bjensen');
      const res = await s.scim('POST', '/Users', entraUser(userName));
      expect(res.status).toBe(201);
      expect(res.headers.get('content-type')).toBe('application/scim+json; charset=utf-8');
      const user = res.body;
      expect(res.headers.get('location')).toBe(`${s.gateway.url}${s.base}/Users/${user.id}`);
      expect(res.headers.get('etag')).toBe('W/"1"');
      expect(user).toMatchObject({
        schemas: [USER, ENTERPRISE],
        userName,
        active: true,
        externalId: userName.split('@')[0],
        phoneNumbers: [
          { type: 'work', value: '+1 (555) 555-5555' },
          { type: 'mobile', value: '0701234567' },
        ],
        [ENTERPRISE]: { employeeNumber: '701984', department: 'Sales' },
        meta: { resourceType: 'User', version: 'W/"1"', location: res.headers.get('location') },
      });
      const read = await s.scim('GET', `/Users/${user.id}`);
      expect(read.status).toBe(200);
      expect(read.body).toEqual(user);
      const [row] = await s.iam.app
        .get(DataSource)
        .query(`SELECT provider, source FROM subjects WHERE id = $1`, [user.id]);
      expect(row).toEqual({ provider: s.provider, source: 'scim' });
    });

    it('accepts nulls, unknown and malformed extension URNs, and application/json', async () => {
      const custom = 'urn:ietf:params:scim:schemas:extension:2.0:CustomExtensionName';
      const res = await http(s.gateway.url, 'POST', `${s.base}/Users`, {
        token: s.scimToken,
        body: entraUser(name('legacy'), {
          schemas: [USER, ENTERPRISE, custom, 'urn:ietf:params:scim:schemas:extension'],
          displayName: null,
          nickName: null,
          [custom]: { folders: ['Folder 1', 'Folder 2'] },
        }),
      });
      expect(res.status).toBe(201);
      expect(res.body[custom]).toEqual({ folders: ['Folder 1', 'Folder 2'] });
      expect(res.body.schemas).toEqual(
        expect.arrayContaining([custom, 'urn:ietf:params:scim:schemas:extension']),
      );
      expect(res.body).not.toHaveProperty('displayName');
    });

    it('refuses a duplicate userName case-insensitively with 409 uniqueness, and the filter agrees', async () => {
      const userName = name('Dup');
      await create(userName);
      const again = await s.scim('POST', '/Users', entraUser(userName.toUpperCase()));
      expect(again.status).toBe(409);
      expect(again.body).toMatchObject({ schemas: [ERROR], status: '409', scimType: 'uniqueness' });
      const found = await s.scim(
        'GET',
        `/Users?filter=${encodeURIComponent(`userName eq "${userName.toUpperCase()}"`)}`,
      );
      expect(found.body.totalResults).toBe(1);
    });

    it('answers the Test Connection probe with 200 and an empty list, and 404 for an unknown id', async () => {
      const probe = await s.scim('GET', `/Users?filter=userName+eq+%22${randomUUID()}%22`);
      expect(probe.status).toBe(200);
      expect(probe.body).toEqual({
        schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
        totalResults: 0,
        startIndex: 1,
        itemsPerPage: 0,
        Resources: [],
      });
      for (const id of [randomUUID(), 'not-a-uuid']) {
        const missing = await s.scim('GET', `/Users/${id}`);
        expect(missing.status).toBe(404);
        expect(missing.body).toMatchObject({ schemas: [ERROR], status: '404' });
      }
    });

    it('tolerates unknown query parameters (?aadOptscim062020)', async () => {
      expect((await s.scim('GET', '/Users?aadOptscim062020&count=1')).status).toBe(200);
    });

    it.each([
      ['malformed JSON', '{"userName": ', 400, 'invalidSyntax'],
      ['no userName', JSON.stringify({ schemas: [USER], active: true }), 400, 'invalidValue'],
      [
        'active not boolean',
        JSON.stringify({ schemas: [USER], userName: 'x@y.z', active: 'perhaps' }),
        400,
        'invalidValue',
      ],
      ['a JSON array', '[]', 400, 'invalidSyntax'],
    ])('answers %s with %i %s', async (_case, rawBody, status, scimType) => {
      const res = await http(s.gateway.url, 'POST', `${s.base}/Users`, {
        token: s.scimToken,
        rawBody,
        headers: { 'content-type': 'application/scim+json' },
      });
      expect(res.status).toBe(status);
      expect(res.body).toMatchObject({ schemas: [ERROR], status: String(status), scimType });
    });

    it('answers a body over the configured limit with 413', async () => {
      const res = await s.scim('POST', '/Users', entraUser(name('big'), { title: 'x'.repeat(70_000) }));
      expect(res.status).toBe(413);
      expect(res.body).toMatchObject({ schemas: [ERROR], status: '413' });
    });

    it('answers an unknown endpoint with a SCIM 404', async () => {
      const res = await s.scim('GET', '/Nope');
      expect(res.status).toBe(404);
      expect(res.body.schemas).toEqual([ERROR]);
    });
  });

  describe('lists and filters', () => {
    let tag: string;
    let users: Array<Record<string, any>>;
    beforeAll(async () => {
      tag = randomUUID().slice(0, 6);
      users = [];
      for (const [i, dept] of ['Sales', 'Sales', 'Engineering', 'Legal'].entries()) {
        users.push(
          await create(`f${i}-${tag}@filter.test`, {
            externalId: `Ext-${tag}-${i}`,
            displayName: `Filter ${tag} ${i}`,
            emails: [
              { type: 'work', value: `f${i}-${tag}@filter.test`, primary: true },
              { type: 'home', value: `home${i}-${tag}@home.test` },
            ],
            [ENTERPRISE]: { department: dept, manager: { value: `mgr-${tag}` } },
            active: i !== 3,
          }),
        );
      }
    });
    const ids = async (filter: string, extra = '') => {
      const res = await s.scim('GET', `/Users?filter=${encodeURIComponent(filter)}${extra}`);
      expect(res.status).toBe(200);
      return res.body.Resources.map((u: { id: string }) => u.id);
    };
    const idsOf = (...indexes: number[]) => indexes.map((i) => users[i]!.id);

    it('matches externalId exactly (case-sensitive)', async () => {
      expect(await ids(`externalId eq "Ext-${tag}-1"`)).toEqual(idsOf(1));
      expect(await ids(`externalId eq "ext-${tag}-1"`)).toEqual([]);
    });

    it('supports co, sw, ew, ne, pr, and/or/not and parentheses', async () => {
      expect(await ids(`displayName sw "Filter ${tag}" and displayName ew " 2"`)).toEqual(idsOf(2));
      expect(await ids(`userName co "${tag}@FILTER"`)).toEqual(idsOf(0, 1, 2, 3));
      expect(await ids(`userName co "${tag}" and not (${ENTERPRISE}:department eq "Sales")`)).toEqual(
        idsOf(2, 3),
      );
      expect(await ids(`(userName sw "f0-${tag}" or userName sw "f3-${tag}") and active eq true`)).toEqual(
        idsOf(0),
      );
      expect(await ids(`userName co "${tag}" and active ne true`)).toEqual(idsOf(3));
      expect(await ids(`userName co "${tag}" and title pr and nickName pr`)).toEqual([]);
    });

    it('matches value paths on the same element only', async () => {
      expect(await ids(`emails[type eq "work"].value eq "f2-${tag}@filter.test"`)).toEqual(idsOf(2));
      // The work address of user 2 with the type of its home address: no single element has both.
      expect(await ids(`emails[type eq "home" and value eq "f2-${tag}@filter.test"]`)).toEqual([]);
      expect(await ids(`emails[type eq "home" and value co "home1-${tag}"]`)).toEqual(idsOf(1));
      expect(await ids(`emails.value eq "HOME3-${tag}@home.test"`)).toEqual(idsOf(3));
    });

    it('filters on extension attributes, the manager and meta dates, case-insensitive attribute names', async () => {
      expect(await ids(`${ENTERPRISE}:department eq "engineering" and userName co "${tag}"`)).toEqual(
        idsOf(2),
      );
      expect(await ids(`${ENTERPRISE}:manager.value eq "mgr-${tag}"`)).toEqual(idsOf(0, 1, 2, 3));
      expect(await ids(`USERNAME co "${tag}" and META.CREATED gt "2000-01-01T00:00:00Z"`)).toHaveLength(4);
      expect(await ids(`id eq "${users[1]!.id}"`)).toEqual(idsOf(1));
    });

    it('pages with startIndex and count, and count=0 gives the total only', async () => {
      const filter = encodeURIComponent(`userName co "${tag}"`);
      const page = await s.scim('GET', `/Users?filter=${filter}&startIndex=2&count=2`);
      expect(page.body).toMatchObject({ totalResults: 4, startIndex: 2, itemsPerPage: 2 });
      expect(page.body.Resources.map((u: { id: string }) => u.id)).toEqual(idsOf(1, 2));
      const totals = await s.scim('GET', `/Users?filter=${filter}&count=0`);
      expect(totals.body).toMatchObject({ totalResults: 4, itemsPerPage: 0, Resources: [] });
      const past = await s.scim('GET', `/Users?filter=${filter}&startIndex=10`);
      expect(past.body).toMatchObject({ totalResults: 4, itemsPerPage: 0 });
    });

    it('sorts by sortBy/sortOrder', async () => {
      const desc = await ids(`userName co "${tag}"`, '&sortBy=userName&sortOrder=descending');
      expect(desc).toEqual(idsOf(3, 2, 1, 0));
      const byDept = await ids(`userName co "${tag}"`, `&sortBy=${ENTERPRISE}:department`);
      expect(byDept.slice(0, 2)).toEqual(idsOf(2, 3));
    });

    it('projects with attributes and excludedAttributes', async () => {
      const only = await s.scim('GET', `/Users/${users[0]!.id}?attributes=userName,name.givenName`);
      expect(only.body).toEqual({
        schemas: users[0]!.schemas,
        id: users[0]!.id,
        userName: users[0]!.userName,
        name: { givenName: 'Barbara' },
      });
      const without = await s.scim(
        'GET',
        `/Users?filter=${encodeURIComponent(`id eq "${users[0]!.id}"`)}&excludedAttributes=emails,${ENTERPRISE}:manager`,
      );
      expect(without.body.Resources[0]).not.toHaveProperty('emails');
      expect(without.body.Resources[0][ENTERPRISE]).toEqual({ department: 'Sales' });
    });

    it('answers POST /.search like GET', async () => {
      const res = await s.scim('POST', '/Users/.search', {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
        filter: `userName co "${tag}"`,
        startIndex: 1,
        count: 2,
        attributes: ['userName'],
      });
      expect(res.status).toBe(200);
      expect(res.body.totalResults).toBe(4);
      expect(res.body.Resources).toEqual(
        idsOf(0, 1).map((id, i) => ({ schemas: users[i]!.schemas, id, userName: users[i]!.userName })),
      );
    });

    it.each(['userName eq', 'userName xx "a"', 'nosuch eq "a"', 'active eq "yes"', 'emails[type eq "work"'])(
      'answers the bad filter %j with 400 invalidFilter',
      async (filter) => {
        const res = await s.scim('GET', `/Users?filter=${encodeURIComponent(filter)}`);
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({ schemas: [ERROR], status: '400', scimType: 'invalidFilter' });
      },
    );

    it('answers bad paging and sorting with 400', async () => {
      expect((await s.scim('GET', '/Users?count=abc')).status).toBe(400);
      expect((await s.scim('GET', '/Users?sortOrder=sideways')).status).toBe(400);
      expect((await s.scim('GET', '/Users?sortBy=nosuch')).status).toBe(400);
    });
  });

  describe('PATCH, PUT, disable and DELETE', () => {
    it('applies every Entra PATCH shape', async () => {
      const user = await create(name('patch'));
      const p = (body: unknown) => s.scim('PATCH', `/Users/${user.id}`, body);

      let res = await p(patchOps({ op: 'Replace', path: 'active', value: 'False' }));
      expect(res.status).toBe(200);
      expect(res.body.active).toBe(false);
      res = await p(patchOps({ op: 'replace', value: { active: true } }));
      expect(res.body.active).toBe(true);

      res = await p(
        patchOps(
          { op: 'Replace', path: 'name.givenName', value: 'Babs' },
          { op: 'Replace', path: 'emails[type eq "work"].value', value: 'babs@contoso.com' },
          { op: 'Add', path: `${ENTERPRISE}:department`, value: 'Marketing' },
          { op: 'Replace', path: 'urn:ietf:params:scim:schemas:core:2.0:User:title', value: 'VP' },
        ),
      );
      expect(res.body.name.givenName).toBe('Babs');
      expect(res.body.emails).toEqual([{ primary: true, type: 'work', value: 'babs@contoso.com' }]);
      expect(res.body[ENTERPRISE].department).toBe('Marketing');
      expect(res.body.title).toBe('VP');

      res = await p(
        patchOps({
          op: 'replace',
          value: { 'name.familyName': 'Jensen-Smith', [`${ENTERPRISE}:employeeNumber`]: '42' },
        }),
      );
      expect(res.body.name).toMatchObject({ givenName: 'Babs', familyName: 'Jensen-Smith' });
      expect(res.body[ENTERPRISE].employeeNumber).toBe('42');
      expect(res.body).not.toHaveProperty(['name.familyName']);

      const manager = await create(name('manager'));
      res = await p(patchOps({ op: 'Add', path: `${ENTERPRISE}:manager`, value: manager.id }));
      expect(res.body[ENTERPRISE].manager).toEqual({ value: manager.id });
      res = await p(patchOps({ op: 'Replace', path: `${ENTERPRISE}:manager`, value: { value: user.id } }));
      expect(res.body[ENTERPRISE].manager).toEqual({ value: user.id });
      res = await p(patchOps({ op: 'Remove', path: `${ENTERPRISE}:manager`, value: [{ value: '' }] }));
      expect(res.body[ENTERPRISE]).not.toHaveProperty('manager');

      res = await p(patchOps({ op: 'add', path: 'phoneNumbers[type eq "fax"].value', value: '555-FAX' }));
      expect(res.body.phoneNumbers).toContainEqual({ type: 'fax', value: '555-FAX' });
      expect(res.headers.get('etag')).toBe(res.body.meta.version);
    });

    it('leaves version and lastModified alone for a PATCH that changes nothing', async () => {
      const user = await create(name('noop'));
      const res = await s.scim(
        'PATCH',
        `/Users/${user.id}`,
        patchOps({ op: 'replace', path: 'title', value: user.title }),
      );
      expect(res.status).toBe(200);
      expect(res.body.meta.version).toBe(user.meta.version);
      expect(res.body.meta.lastModified).toBe(user.meta.lastModified);
    });

    it.each([
      [{ op: 'replace', path: 'nosuch', value: 'x' }, 'invalidPath'],
      [{ op: 'replace', path: 'id', value: 'x' }, 'mutability'],
      [{ op: 'add', path: 'groups', value: [{ value: 'x' }] }, 'mutability'],
      [{ op: 'remove' }, 'noTarget'],
      [{ op: 'replace', path: 'active', value: 'maybe' }, 'invalidValue'],
      [{ op: 'launch', path: 'title', value: 'x' }, 'invalidSyntax'],
    ])('refuses %j with 400 %s and changes nothing', async (operation, scimType) => {
      const user = await create(name('badpatch'));
      const res = await s.scim('PATCH', `/Users/${user.id}`, patchOps(operation));
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ schemas: [ERROR], status: '400', scimType });
      expect((await s.scim('GET', `/Users/${user.id}`)).body).toEqual(user);
    });

    it('answers PATCH of an unknown user with 404 and a userName clash with 409', async () => {
      expect(
        (
          await s.scim(
            'PATCH',
            `/Users/${randomUUID()}`,
            patchOps({ op: 'replace', path: 'title', value: 'x' }),
          )
        ).status,
      ).toBe(404);
      const a = await create(name('clash-a'));
      const b = await create(name('clash-b'));
      const res = await s.scim(
        'PATCH',
        `/Users/${b.id}`,
        patchOps({ op: 'replace', path: 'userName', value: a.userName.toUpperCase() }),
      );
      expect(res.status).toBe(409);
      expect(res.body.scimType).toBe('uniqueness');
    });

    it('replaces with PUT, honouring If-Match', async () => {
      const user = await create(name('put'));
      const stale = await s.scim('PUT', `/Users/${user.id}`, entraUser(user.userName, { title: 'New' }), {
        'if-match': 'W/"7"',
      });
      expect(stale.status).toBe(412);
      expect(stale.body.schemas).toEqual([ERROR]);
      const res = await s.scim(
        'PUT',
        `/Users/${user.id}`,
        { schemas: [USER], userName: user.userName, title: 'New' },
        { 'if-match': user.meta.version },
      );
      expect(res.status).toBe(200);
      expect(res.body.title).toBe('New');
      expect(res.body).not.toHaveProperty('emails');
      expect(res.body.meta.version).toBe('W/"2"');
      expect(res.body.meta.created).toBe(user.meta.created);
      expect(
        (await s.scim('PUT', `/Users/${randomUUID()}`, { schemas: [USER], userName: 'x@y.z' })).status,
      ).toBe(404);
    });

    it('keeps a disabled user visible; DELETE deprovisions it (404 after) and keeps a tombstone', async () => {
      const user = await create(name('lifecycle'));
      const disabled = await s.scim(
        'PATCH',
        `/Users/${user.id}`,
        patchOps({ op: 'Replace', path: 'active', value: 'False' }),
      );
      expect(disabled.body.active).toBe(false);
      expect((await s.scim('GET', `/Users/${user.id}`)).body.active).toBe(false);
      const filter = encodeURIComponent(`userName eq "${user.userName}"`);
      expect((await s.scim('GET', `/Users?filter=${filter}`)).body.totalResults).toBe(1);

      const del = await s.scim('DELETE', `/Users/${user.id}`);
      expect(del.status).toBe(204);
      expect(del.text).toBe('');
      expect((await s.scim('GET', `/Users/${user.id}`)).status).toBe(404);
      expect((await s.scim('GET', `/Users?filter=${filter}`)).body.totalResults).toBe(0);
      expect((await s.scim('DELETE', `/Users/${user.id}`)).status).toBe(404);
      const [tombstone] = await s.iam.app
        .get(DataSource)
        .query(`SELECT deleted_at, active FROM subjects WHERE id = $1`, [user.id]);
      expect(tombstone.deleted_at).not.toBeNull();
      expect(tombstone.active).toBe(false);
      // The userName is free again for a new subject.
      expect((await s.scim('POST', '/Users', entraUser(user.userName))).status).toBe(201);
    });

    it('loses no update under concurrent PATCHes of one user', async () => {
      const user = await create(name('concurrent'), { emails: [] });
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          s.scim(
            'PATCH',
            `/Users/${user.id}`,
            patchOps({ op: 'add', path: 'emails', value: [{ type: `t${i}`, value: `e${i}@x.test` }] }),
          ),
        ),
      );
      expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
      const after = (await s.scim('GET', `/Users/${user.id}`)).body;
      expect(after.emails).toHaveLength(20);
      expect(after.meta.version).toBe('W/"21"');
    });
  });

  describe('discovery', () => {
    it('serves an honest ServiceProviderConfig', async () => {
      const res = await s.scim('GET', '/ServiceProviderConfig');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        patch: { supported: true },
        bulk: { supported: false },
        filter: { supported: true, maxResults: 1000 },
        sort: { supported: true },
        etag: { supported: true },
        changePassword: { supported: false },
        authenticationSchemes: [expect.objectContaining({ type: 'oauthbearertoken' })],
      });
    });

    it('lists ResourceTypes and full Schemas', async () => {
      const types = await s.scim('GET', '/ResourceTypes');
      expect(types.body.Resources.map((t: { name: string }) => t.name)).toContain('User');
      const user = types.body.Resources.find((t: { name: string }) => t.name === 'User');
      expect(user).toMatchObject({
        endpoint: '/Users',
        schema: USER,
        schemaExtensions: [
          { schema: ENTERPRISE, required: false },
          { schema: FOLDERS_SCHEMA, required: false },
          { schema: METADATA_SCHEMA, required: false },
        ],
      });
      const schemas = await s.scim('GET', '/Schemas');
      const core = schemas.body.Resources.find((r: { id: string }) => r.id === USER);
      const userName = core.attributes.find((a: { name: string }) => a.name === 'userName');
      expect(userName).toMatchObject({
        type: 'string',
        required: true,
        caseExact: false,
        uniqueness: 'server',
        mutability: 'readWrite',
      });
      const one = await s.scim('GET', `/Schemas/${ENTERPRISE}`);
      expect(one.body.attributes.map((a: { name: string }) => a.name)).toContain('manager');
    });
  });
});
