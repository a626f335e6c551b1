import { ScimError } from './errors';
import { applyPatch, normalizePatchRequest } from './patch';
import { assertSafeKeys, hasForbiddenName, safeJsonCopy } from './property-names';
import { normalizeUserDocument } from './resource-document';
import { USER_RESOURCE_TYPE } from './schemas';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const scimTypeOf = (work: () => unknown): string | undefined => {
  try {
    work();
  } catch (error) {
    return error instanceof ScimError ? error.scimType : 'not a ScimError';
  }
  return undefined;
};

describe('reserved property names', () => {
  afterEach(() => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    '__proto__',
    '__PROTO__',
    'urn:a:b:__proto__.x',
    'a.constructor.prototype',
    'emails[Constructor eq "x"].value',
    'urn:a:b:prototype',
    'emails[value eq "__proto__"]',
  ])('finds one in %s', (text) => {
    expect(hasForbiddenName(text)).toBe(true);
  });

  it.each(['userName', 'urn:a:b:ext:proto', 'x-constructor-id', 'prototypes'])(
    'finds none in %s (longer names are not property names)',
    (text) => {
      expect(hasForbiddenName(text)).toBe(false);
    },
  );

  it('refuses a key anywhere inside a value, arrays included', () => {
    const value = JSON.parse('{"a":[{"b":{"constructor":{"prototype":{"polluted":1}}}}]}');
    expect(scimTypeOf(() => assertSafeKeys(value))).toBe('invalidValue');
    expect(scimTypeOf(() => assertSafeKeys(JSON.parse('{"a":["__proto__"]}')))).toBeUndefined();
  });

  it('copies without the reserved keys, as own data only', () => {
    const copy = safeJsonCopy(JSON.parse('{"a":{"__proto__":{"polluted":1},"b":1},"constructor":2}'));
    expect(copy).toEqual({ a: { b: 1 } });
    expect(Object.getPrototypeOf(copy.a)).toBe(Object.prototype);
  });

  // IAM applies commands read from Redis: the apply step must refuse them itself, whoever built them.
  it.each([
    { op: 'add' as const, path: 'urn:a:b:__proto__.polluted', value: 'yes' },
    { op: 'add' as const, path: 'constructor.prototype.polluted', value: 'yes' },
    { op: 'replace' as const, path: 'urn:a:b:ext', value: JSON.parse('{"__proto__":{"polluted":"yes"}}') },
  ])('applyPatch refuses $path without normalisation in front of it', (operation) => {
    const document = { schemas: [USER], userName: 'a' };
    expect(scimTypeOf(() => applyPatch(document, [operation]))).toMatch(/^invalid(Path|Value)$/);
  });

  // scim-patch splits paths on dots with its own rules, inside quotes too: a quoted segment is no hiding place.
  it.each([
    'urn:x:y:"a.__proto__.isAdmin[value eq 1].b"c',
    'urn:x:y:"a.constructor.prototype.isAdmin[value eq 1].b"c',
    'name["__proto__"]',
  ])('a path quoting a reserved name (%s) is refused before and inside the PATCH engine', (path) => {
    const body = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'add', path, value: 'x' }],
    };
    expect(scimTypeOf(() => normalizePatchRequest(body, USER_RESOURCE_TYPE))).toBe('invalidPath');
    expect(
      scimTypeOf(() => applyPatch({ schemas: [USER], userName: 'a' }, [{ op: 'add', path, value: 'x' }])),
    ).toBe('invalidPath');
  });

  it('a value key quoting a reserved name is refused', () => {
    const value = JSON.parse('{"\\"a.__proto__.b\\"c.isAdmin":true}');
    expect(
      scimTypeOf(() => applyPatch({ schemas: [USER], userName: 'a' }, [{ op: 'add', path: 'name', value }])),
    ).toBe('invalidValue');
  });

  it.each([
    [
      'a path',
      (text: string) =>
        normalizePatchRequest({ Operations: [{ op: 'add', path: text, value: 'x' }] }, USER_RESOURCE_TYPE),
    ],
    ['a value key', (text: string) => assertSafeKeys({ [text]: 1 })],
  ])(
    '%s far longer than any attribute path is refused at once (no regular expression sees it)',
    (_what, check) => {
      const hostile = 'urn:x:y:' + '"\\'.repeat(200_000);
      const started = Date.now();
      expect(scimTypeOf(() => check(hostile))).toMatch(/^invalid(Path|Value)$/);
      expect(Date.now() - started).toBeLessThan(200);
    },
  );

  it('an unknown extension path is kept only when it is a plain URN attribute path', () => {
    const ok = normalizePatchRequest(
      { Operations: [{ op: 'add', path: 'urn:contoso:ext:2.0:User:costCenter', value: 'x' }] },
      USER_RESOURCE_TYPE,
    );
    expect(ok).toEqual([{ op: 'add', path: 'urn:contoso:ext:2.0:User:costCenter', value: 'x' }]);
    for (const path of ['urn:x:y:a b', 'urn:x:y:a[value eq "1"].b', 'urn:x:y:"a"', 'urn:x:y:a..b'])
      expect(
        scimTypeOf(() =>
          normalizePatchRequest({ Operations: [{ op: 'add', path, value: 'x' }] }, USER_RESOURCE_TYPE),
        ),
      ).toBe('invalidPath');
  });

  it('normalisation refuses a stored-looking document that carries a reserved key (a command from Redis)', () => {
    const document = JSON.parse(
      `{"schemas":["${USER}"],"userName":"a","urn:a:b":{"__proto__":{"polluted":1}}}`,
    );
    expect(scimTypeOf(() => normalizeUserDocument(document))).toBe('invalidValue');
  });
});
