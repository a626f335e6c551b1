import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { http, RunningApp, ScimStack, startScimStack } from '@test/support';
import { IdentityProvidersRepository } from '../apps/iam-admin/src/identity-providers/identity-providers.repository';
import { SubjectResolverService } from '../apps/iam-admin/src/sso-login/subject-resolver.service';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const METADATA = 'urn:ietf:params:scim:schemas:extension:2.0:Metadata';

describe('operator reads of subjects: login method, SCIM filter search, event history; sign-in races', () => {
  let s: ScimStack;
  let iam: RunningApp;
  const admin = (body?: unknown) => ({ token: s.platformToken, tenantId: s.tenantId, body });
  const get = (path: string) => http(iam.url, 'GET', path, admin());
  const createLocal = async (body: Record<string, unknown>) => {
    const res = await http(iam.url, 'POST', '/v1/subjects', admin(body));
    if (res.status !== 201) throw new Error(`create failed: ${res.text}`);
    return res.body;
  };
  const search = (path: string, filter: string) => get(`${path}?filter=${encodeURIComponent(filter)}`);

  beforeAll(async () => {
    s = await startScimStack();
    iam = s.iam;
  });
  afterAll(() => s?.close());

  describe('loginMethod', () => {
    it('is in every operator view: list, detail, group members, and the writes', async () => {
      const builtIn = await createLocal({ userName: `b-${randomUUID()}@x.example`, loginMethod: 'built-in' });
      const byDefault = await createLocal({ userName: `d-${randomUUID()}@x.example` });
      const scim = (
        await s.scim('POST', '/Users', { schemas: [USER], userName: `e-${randomUUID()}@x.example` })
      ).body;
      expect(builtIn.loginMethod).toBe('built-in');
      // The tenant has a login-enabled Entra ID provider: that is the default.
      expect(byDefault.loginMethod).toBe('entra');

      expect((await get(`/v1/subjects/${builtIn.id}`)).body.loginMethod).toBe('built-in');
      expect((await get(`/v1/subjects/${scim.id}`)).body.loginMethod).toBe('entra');
      const list = await get('/v1/subjects?limit=1000');
      const methods = new Map(list.body.items.map((i: any) => [i.id, i.loginMethod]));
      expect(methods.get(builtIn.id)).toBe('built-in');
      expect(methods.get(byDefault.id)).toBe('entra');
      expect(methods.get(scim.id)).toBe('entra');

      const group = await s.scim('POST', '/Groups', {
        schemas: [GROUP],
        displayName: `g-${randomUUID()}`,
        members: [{ value: builtIn.id }],
      });
      const members = await get(`/v1/groups/${group.body.id}/members`);
      expect(members.body.items).toEqual([
        expect.objectContaining({ id: builtIn.id, loginMethod: 'built-in' }),
      ]);

      const patched = await http(
        iam.url,
        'PATCH',
        `/v1/subjects/${builtIn.id}`,
        admin({ loginMethod: 'entra' }),
      );
      expect(patched.body.loginMethod).toBe('entra');
      expect((await get(`/v1/subjects/${builtIn.id}`)).body.loginMethod).toBe('entra');
    });

    it('set at create is in the subject.created event state, with no second event for it', async () => {
      const chosen = await createLocal({ userName: `c-${randomUUID()}@x.example`, loginMethod: 'built-in' });
      const unset = await createLocal({ userName: `u-${randomUUID()}@x.example` });
      const history = await get(`/v1/subjects/${chosen.id}/events`);
      expect(history.body.items.map((e: any) => e.type)).toEqual(['subject.created']);
      expect(history.body.items[0].state).toMatchObject({ id: chosen.id, loginMethod: 'built-in' });
      const plain = (await get(`/v1/subjects/${unset.id}/events`)).body.items;
      expect(plain).toHaveLength(1);
      expect(plain[0].state.loginMethod).toBeUndefined();
    });
  });

  describe('GET /v1/subjects?filter= and /v1/groups?filter=', () => {
    it('finds subjects with the gateway User filter: userName, metadata, roles, active, and/or', async () => {
      const tag = randomUUID().slice(0, 8);
      const a = await createLocal({
        userName: `alpha-${tag}@x.example`,
        roles: ['Admin'],
        userType: 'Premium',
        metadata: { costCenter: `cc-${tag}` },
      });
      const b = await createLocal({ userName: `beta-${tag}@x.example`, active: false });
      const ids = (res: any) => res.body.items.map((i: any) => i.id).sort();

      const byName = await search('/v1/subjects', `userName eq "ALPHA-${tag}@x.example"`);
      expect(byName.status).toBe(200);
      expect(byName.body).toMatchObject({ total: 1 });
      expect(ids(byName)).toEqual([a.id]);
      expect(ids(await search('/v1/subjects', `userName co "${tag}"`))).toEqual([a.id, b.id].sort());
      expect(ids(await search('/v1/subjects', `${METADATA}:costCenter eq "cc-${tag}"`))).toEqual([a.id]);
      expect(ids(await search('/v1/subjects', `userName co "${tag}" and active eq false`))).toEqual([b.id]);
      expect(ids(await search('/v1/subjects', `roles.value eq "Admin" and userName co "${tag}"`))).toEqual([
        a.id,
      ]);
      expect(ids(await search('/v1/subjects', `userType eq "premium" and userName co "${tag}"`))).toEqual([
        a.id,
      ]);
      // Paging applies to the matches.
      const paged = await get(`/v1/subjects?limit=1&filter=${encodeURIComponent(`userName co "${tag}"`)}`);
      expect(paged.body).toMatchObject({ total: 2, limit: 1 });
      expect(paged.body.items).toHaveLength(1);
      // Blank is no filter.
      expect((await get('/v1/subjects?filter=%20')).status).toBe(200);
    });

    it('finds groups by displayName, externalId and members', async () => {
      const member = await createLocal({ userName: `m-${randomUUID()}@x.example` });
      const name = `Team ${randomUUID()}`;
      const group = (
        await s.scim('POST', '/Groups', {
          schemas: [GROUP],
          displayName: name,
          externalId: `ext-${name}`,
          members: [{ value: member.id }],
        })
      ).body;
      const ids = (res: any) => res.body.items.map((i: any) => i.id);
      expect(ids(await search('/v1/groups', `displayName eq "${name.toUpperCase()}"`))).toEqual([group.id]);
      expect(ids(await search('/v1/groups', `externalId eq "ext-${name}"`))).toEqual([group.id]);
      expect(ids(await search('/v1/groups', `members.value eq "${member.id}"`))).toEqual([group.id]);
      expect((await search('/v1/groups', `displayName eq "nobody-${randomUUID()}"`)).body).toMatchObject({
        total: 0,
        items: [],
      });
    });

    it('refuses a bad filter with 400 naming filter (syntax, unknown attribute, wrong type), never 500', async () => {
      const cases: Array<[string, string, RegExp]> = [
        ['/v1/subjects', 'userName eq', /expected a value/],
        ['/v1/subjects', 'shoeSize eq "42"', /unknown attribute 'shoeSize'/],
        ['/v1/subjects', 'active eq "yes"', /boolean/],
        ['/v1/subjects', 'meta.created gt "yesterday"', /dateTime/],
        ['/v1/subjects', 'members.value eq "x"', /members/],
        ['/v1/groups', 'userName eq "x"', /userName/],
        ['/v1/subjects', 'x'.repeat(5000), /longer than/],
      ];
      for (const [path, filter, detail] of cases) {
        const res = await search(path, filter);
        expect({ filter: filter.slice(0, 40), status: res.status }).toEqual({
          filter: filter.slice(0, 40),
          status: 400,
        });
        expect(res.body.errors).toEqual([{ field: 'filter', message: expect.stringMatching(detail) }]);
        expect(res.body.message).toMatch(/^filter: /);
      }
      const tooLong = await get(`/v1/subjects?filter=${'a'.repeat(9000)}`);
      expect(tooLong.status).toBe(400);
      expect(tooLong.body.message).toMatch(/^filter/);
    });

    it("never finds another tenant's subjects", async () => {
      const mine = await createLocal({ userName: `iso-${randomUUID()}@x.example` });
      const other = await http(iam.url, 'POST', '/v1/tenants', {
        token: s.platformToken,
        body: { displayName: 'Other' },
      });
      const theirs = await http(
        iam.url,
        'GET',
        `/v1/subjects?filter=${encodeURIComponent(`userName eq "${mine.userName}"`)}`,
        {
          token: s.platformToken,
          tenantId: other.body.id,
        },
      );
      expect(theirs.status).toBe(200);
      expect(theirs.body.total).toBe(0);
    });
  });

  describe('GET /v1/subjects/{id}/events', () => {
    it("lists the subject's events newest first, with paging by sequence, deprovisioned subjects too", async () => {
      const subject = await createLocal({ userName: `h-${randomUUID()}@x.example`, displayName: 'One' });
      for (const displayName of ['Two', 'Three']) {
        await http(iam.url, 'PATCH', `/v1/subjects/${subject.id}`, admin({ displayName }));
      }
      await http(iam.url, 'DELETE', `/v1/subjects/${subject.id}`, admin());

      const first = await get(`/v1/subjects/${subject.id}/events?limit=2`);
      expect(first.status).toBe(200);
      expect(first.body.items.map((e: any) => [e.type, e.sequence])).toEqual([
        ['subject.deleted', 4],
        ['subject.updated', 3],
      ]);
      expect(first.body.items[1]).toMatchObject({
        subjectId: subject.id,
        tenantId: s.tenantId,
        source: 'admin',
        changedAttributes: ['displayName'],
        state: expect.objectContaining({ displayName: 'Three' }),
        id: expect.any(String),
        occurredAt: expect.any(String),
      });
      expect(first.body.nextBefore).toBe(3);
      const rest = await get(`/v1/subjects/${subject.id}/events?limit=2&before=3`);
      expect(rest.body.items.map((e: any) => e.sequence)).toEqual([2, 1]);
      expect(rest.body.items[1].type).toBe('subject.created');
      expect(rest.body.nextBefore).toBeNull();
    });

    it('answers 404 for no subject of this tenant and 400 naming a bad parameter', async () => {
      expect((await get(`/v1/subjects/${randomUUID()}/events`)).status).toBe(404);
      expect((await get(`/v1/subjects/not-a-uuid/events`)).status).toBe(404);
      const subject = await createLocal({ userName: `q-${randomUUID()}@x.example` });
      const bad = await get(`/v1/subjects/${subject.id}/events?limit=0&before=x`);
      expect(bad.status).toBe(400);
      expect(bad.body.message).toMatch(/limit|before/);
      const other = await http(iam.url, 'POST', '/v1/tenants', {
        token: s.platformToken,
        body: { displayName: 'Other' },
      });
      const crossTenant = await http(iam.url, 'GET', `/v1/subjects/${subject.id}/events`, {
        token: s.platformToken,
        tenantId: other.body.id,
      });
      expect(crossTenant.status).toBe(404);
    });
  });

  describe('sign-in (the subject resolver)', () => {
    const resolver = () => iam.app.get(SubjectResolverService);
    const provider = async () =>
      (await iam.app
        .get(IdentityProvidersRepository)
        .findByScheme(iam.app.get(DataSource), s.tenantId, s.provider))!;

    it("records a binding with the subject's policy facts like every subject event", async () => {
      const user = await createLocal({ userName: `bind-${randomUUID()}@x.example`, roles: ['User'] });
      const oid = randomUUID();
      await resolver().resolve(s.tenantId, await provider(), { oid, preferred_username: user.userName });
      const [bound] = (await get(`/v1/subjects/${user.id}/events`)).body.items;
      expect(bound).toMatchObject({
        type: 'subject.identity-bound',
        identity: { oid, matchedBy: 'userName' },
        roles: ['User'],
        access: { app: true, portal: true },
        managedBy: null,
        state: expect.objectContaining({ id: user.id, userName: user.userName }),
      });
    });

    it('settles concurrent first sign-ins of one person on one subject (no 500 from the unique indexes)', async () => {
      const p = await provider();
      const oid = randomUUID();
      const userName = `race-${randomUUID()}@x.example`;
      const results = await Promise.allSettled(
        Array.from({ length: 4 }, () =>
          resolver().resolve(s.tenantId, p, { oid, preferred_username: userName }),
        ),
      );
      const refused = results.filter((r) => r.status === 'rejected');
      expect(refused.map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
      const subjects = new Set(results.map((r) => (r as PromiseFulfilledResult<any>).value.subject.id));
      expect(subjects.size).toBe(1);
      expect(results.filter((r) => (r as PromiseFulfilledResult<any>).value.created)).toHaveLength(1);
    });
  });
});
