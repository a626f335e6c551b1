import { randomUUID } from 'node:crypto';
import { http, ScimStack, startScimStack } from '@test/support';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

/**
 * A SCIM token is the least trusted credential the system accepts, and IAM applies what it sends
 * inside a process every tenant shares. Names that JavaScript treats specially (`__proto__`,
 * `constructor`, `prototype`) must never become property keys: each payload below answers 400,
 * nothing lands on Object.prototype (IAM runs in this test process, so a pollution would show
 * here), and the admin API answers exactly as it did before.
 */
describe('Security: prototype pollution through SCIM names', () => {
  let s: ScimStack;
  let userId: string;
  let groupId: string;

  /** Bodies as raw JSON text: a JavaScript object literal would turn `__proto__` into a prototype, not a key. */
  const raw = (method: string, path: string, json: string) =>
    http(s.gateway.url, method, s.base + path, {
      token: s.scimToken,
      rawBody: json,
      headers: { 'content-type': 'application/scim+json' },
    });
  const patchBody = (operations: string) => `{"schemas":["${PATCH_OP}"],"Operations":[${operations}]}`;

  const adminView = async () => {
    const calls = [
      await http(s.iam.url, 'GET', '/v1/tenants', { token: s.platformToken }),
      await http(s.iam.url, 'GET', `/v1/subjects/${userId}`, {
        token: s.platformToken,
        tenantId: s.tenantId,
      }),
      await http(s.iam.url, 'GET', '/v1/subjects', { token: s.platformToken }),
    ];
    return calls.map(({ status, body }) => ({ status, body }));
  };
  const pollutedKeys = () =>
    ['polluted', 'x-tenant-id', 'x', 'isAdmin'].filter(
      (key) => (Object.prototype as Record<string, unknown>)[key] !== undefined || key in {},
    );

  let before: Awaited<ReturnType<typeof adminView>>;

  beforeAll(async () => {
    s = await startScimStack();
    const user = await s.scim('POST', '/Users', {
      schemas: [USER],
      userName: `victim-${randomUUID()}@contoso.com`,
    });
    userId = user.body.id;
    const group = await s.scim('POST', '/Groups', { schemas: [GROUP], displayName: `Group ${randomUUID()}` });
    groupId = group.body.id;
    before = await adminView();
    expect(before.map((c) => c.status)).toEqual([200, 200, 400]);
  });
  afterAll(() => s?.close());

  afterEach(async () => {
    expect(pollutedKeys()).toEqual([]);
    expect(await adminView()).toEqual(before);
  });

  const expectRefused = (
    res: { status: number; body: { schemas?: string[]; scimType?: string } },
    scimType: string,
  ) => {
    expect({ status: res.status, scimType: res.body.scimType, schemas: res.body.schemas }).toEqual({
      status: 400,
      scimType,
      schemas: [ERROR],
    });
  };

  const tenantUuid = randomUUID();
  it.each([
    [
      'an unknown extension path through __proto__',
      `{"op":"add","path":"urn:a:b:__proto__.x-tenant-id","value":"${tenantUuid}"}`,
    ],
    [
      'constructor.prototype in an extension path',
      '{"op":"add","path":"urn:a:b:constructor.prototype.polluted","value":"yes"}',
    ],
    ['__proto__ as a core attribute path', '{"op":"replace","path":"__proto__.polluted","value":"yes"}'],
    ['a sub-attribute named prototype', '{"op":"add","path":"name.prototype","value":"yes"}'],
    ['remove through __proto__', '{"op":"remove","path":"urn:a:b:__proto__.polluted"}'],
    [
      'a schema-qualified core path',
      `{"op":"add","path":"${USER}:constructor.prototype.polluted","value":"yes"}`,
    ],
    [
      'a reserved name inside a quoted segment',
      '{"op":"add","path":"urn:x:y:\\"a.__proto__.isAdmin[value eq 1].b\\"c","value":"x"}',
    ],
  ])('User PATCH: %s answers 400 invalidPath', async (_label, operation) => {
    expectRefused(await raw('PATCH', `/Users/${userId}`, patchBody(operation)), 'invalidPath');
  });

  it.each([
    ['a dotted value key through __proto__', '{"op":"add","value":{"__proto__.polluted":"yes"}}'],
    [
      'a URN value key through constructor',
      '{"op":"replace","value":{"urn:a:b:constructor.prototype.polluted":"yes"}}',
    ],
    [
      'constructor.prototype nested in a value',
      '{"op":"add","path":"urn:a:b:ext","value":{"constructor":{"prototype":{"polluted":"yes"}}}}',
    ],
    [
      '__proto__ nested in an array value',
      '{"op":"add","path":"emails","value":[{"value":"a@b.c","__proto__":{"polluted":"yes"}}]}',
    ],
    [
      'an extension object with a prototype key',
      '{"op":"add","value":{"urn:a:b:ext":{"prototype":{"polluted":"yes"}}}}',
    ],
  ])('User PATCH: %s answers 400', async (_label, operation) => {
    const res = await raw('PATCH', `/Users/${userId}`, patchBody(operation));
    expect(res.status).toBe(400);
    expect(['invalidValue', 'invalidPath', 'invalidSyntax']).toContain(res.body.scimType);
  });

  it.each([
    [
      'POST',
      '/Users',
      `{"schemas":["${USER}"],"userName":"p1-${tenantUuid}","constructor":{"prototype":{"polluted":"yes"}}}`,
    ],
    [
      'POST',
      '/Users',
      `{"schemas":["${USER}"],"userName":"p2-${tenantUuid}","urn:a:b:__proto__":{"polluted":"yes"}}`,
    ],
    [
      'POST',
      '/Users',
      `{"schemas":["${USER}"],"userName":"p3-${tenantUuid}","urn:a:b":{"constructor":{"prototype":{"polluted":"yes"}}}}`,
    ],
    [
      'POST',
      '/Users',
      `{"schemas":["${USER}"],"userName":"p4-${tenantUuid}","name":{"__proto__":{"polluted":"yes"}}}`,
    ],
    [
      'POST',
      '/Groups',
      `{"schemas":["${GROUP}"],"displayName":"g-${tenantUuid}","urn:a:b":{"__proto__":{"polluted":"yes"}}}`,
    ],
  ])('%s %s with a special name inside the body answers 400', async (method, path, json) => {
    const res = await raw(method, path, json);
    expect(res.status).toBe(400);
    expect(['invalidValue', 'invalidSyntax']).toContain(res.body.scimType);
  });

  it('PUT /Users with constructor.prototype in an extension answers 400 and changes nothing', async () => {
    const json = `{"schemas":["${USER}"],"userName":"renamed-${tenantUuid}","urn:a:b":{"constructor":{"prototype":{"polluted":"yes"}}}}`;
    expectRefused(await raw('PUT', `/Users/${userId}`, json), 'invalidValue');
    expect((await s.scim('GET', `/Users/${userId}`)).body.userName).not.toBe(`renamed-${tenantUuid}`);
  });

  it.each([
    ['{"op":"add","path":"urn:a:b:__proto__.polluted","value":"yes"}'],
    ['{"op":"replace","value":{"constructor.prototype.polluted":"yes"}}'],
    ['{"op":"add","path":"urn:x:y:\\"a.constructor.prototype.isAdmin[value eq 1].b\\"c","value":"x"}'],
    ['{"op":"add","path":"members","value":[{"value":"x","__proto__":{"polluted":"yes"}}]}'],
  ])('Group PATCH %s answers 400', async (operation) => {
    const res = await raw('PATCH', `/Groups/${groupId}`, patchBody(operation));
    expect(res.status).toBe(400);
    expect(['invalidValue', 'invalidPath', 'invalidSyntax']).toContain(res.body.scimType);
  });

  it.each([
    ['filter', 'urn:a:b:__proto__ eq "x"', 'invalidFilter'],
    ['filter', 'constructor.prototype eq "x"', 'invalidFilter'],
    ['filter', 'emails[__proto__ eq "x"]', 'invalidFilter'],
    ['attributes', '__proto__', 'invalidPath'],
    ['attributes', 'urn:a:b:constructor.prototype', 'invalidPath'],
    ['excludedAttributes', 'name.__proto__', 'invalidPath'],
    ['sortBy', 'constructor', 'invalidPath'],
  ])('GET /Users?%s=%s answers 400 %s', async (parameter, value, scimType) => {
    const res = await s.scim('GET', `/Users?${parameter}=${encodeURIComponent(value)}`);
    expectRefused(res, scimType);
  });

  it('POST /.search with a special attribute name answers 400 or is not offered', async () => {
    const res = await raw(
      'POST',
      '/Users/.search',
      `{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"attributes":["__proto__"]}`,
    );
    expect([400, 404, 501]).toContain(res.status);
    expect(res.status).not.toBe(200);
  });

  it('ordinary extension attributes still round-trip after all of the above', async () => {
    const other = await s.scim('POST', '/Users', {
      schemas: [USER],
      userName: `other-${randomUUID()}@contoso.com`,
    });
    const res = await s.scim('PATCH', `/Users/${other.body.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'add', path: 'urn:a:b:ext:color', value: 'blue' }],
    });
    expect(res.status).toBe(200);
    expect(res.body['urn:a:b:ext']).toEqual({ color: 'blue' });
  });
});
