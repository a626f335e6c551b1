import { ScimError } from './errors';
import { applyPatch } from './patch';
import { assertSafeKeys, hasForbiddenName, safeJsonCopy } from './property-names';
import { normalizeUserDocument } from './resource-document';

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
  ])('finds one in %s', (text) => {
    expect(hasForbiddenName(text)).toBe(true);
  });

  it.each([
    'userName',
    'emails[value eq "__proto__"]',
    'urn:a:b:ext:proto',
    'x-constructor-id',
    'prototypes',
  ])('finds none in %s (quoted values and longer names are not property names)', (text) => {
    expect(hasForbiddenName(text)).toBe(false);
  });

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

  it('normalisation refuses a stored-looking document that carries a reserved key (a command from Redis)', () => {
    const document = JSON.parse(
      `{"schemas":["${USER}"],"userName":"a","urn:a:b":{"__proto__":{"polluted":1}}}`,
    );
    expect(scimTypeOf(() => normalizeUserDocument(document))).toBe('invalidValue');
  });
});
