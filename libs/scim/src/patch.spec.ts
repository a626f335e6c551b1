import fc from 'fast-check';
import { ScimError } from './errors';
import { applyPatch, canonicalPath, normalizePatchRequest } from './patch';
import { ENTERPRISE_USER_SCHEMA, PATCH_OP_SCHEMA, USER_RESOURCE_TYPE } from './schemas';
import { normalizeUserDocument } from './resource-document';

const patchBody = (...Operations: unknown[]) => ({ schemas: [PATCH_OP_SCHEMA], Operations });
const base = () =>
  normalizeUserDocument({
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE_USER_SCHEMA],
    userName: 'a@contoso.com',
    active: true,
    name: { givenName: 'Ann', familyName: 'Lee' },
    emails: [{ type: 'work', value: 'a@contoso.com', primary: true }],
    [ENTERPRISE_USER_SCHEMA]: { department: 'Sales' },
  });
/** Normalise, apply, normalise: what the IAM worker does with a PATCH. */
const patch = (doc: Record<string, unknown>, body: unknown) =>
  normalizeUserDocument(applyPatch(doc, normalizePatchRequest(body, USER_RESOURCE_TYPE)));

describe('PATCH in the shapes Entra ID sends', () => {
  it('disables with a capitalised op and the string "False"', () => {
    expect(patch(base(), patchBody({ op: 'Replace', path: 'active', value: 'False' })).active).toBe(false);
  });

  it('disables with a path-less value object', () => {
    expect(patch(base(), patchBody({ op: 'replace', value: { active: false } })).active).toBe(false);
  });

  it('applies dotted and URN-qualified keys of a path-less value as attributes, not literal keys', () => {
    const out = patch(
      base(),
      patchBody({
        op: 'replace',
        value: {
          'name.givenName': 'Anna',
          [`${ENTERPRISE_USER_SCHEMA}:employeeNumber`]: '42',
          displayName: 'Anna Lee',
        },
      }),
    );
    expect(out.name).toEqual({ givenName: 'Anna', familyName: 'Lee' });
    expect(out[ENTERPRISE_USER_SCHEMA]).toEqual({ department: 'Sales', employeeNumber: '42' });
    expect(out.displayName).toBe('Anna Lee');
    expect(out).not.toHaveProperty(['name.givenName']);
  });

  it('merges a nested complex value instead of dropping its siblings', () => {
    const out = patch(base(), patchBody({ op: 'replace', value: { name: { familyName: 'Smith' } } }));
    expect(out.name).toEqual({ givenName: 'Ann', familyName: 'Smith' });
  });

  it('replaces through a value-path filter and creates the element when missing', () => {
    const replaced = patch(
      base(),
      patchBody({ op: 'Replace', path: 'emails[type eq "work"].value', value: 'b@contoso.com' }),
    );
    expect(replaced.emails).toEqual([{ type: 'work', value: 'b@contoso.com', primary: true }]);
    const added = patch(
      base(),
      patchBody({ op: 'Add', path: 'emails[type eq "home"].value', value: 'h@home.net' }),
    );
    expect(added.emails).toEqual([
      { type: 'work', value: 'a@contoso.com', primary: true },
      { type: 'home', value: 'h@home.net' },
    ]);
  });

  it('sets the manager from a plain id or {value}, and removes it', () => {
    const path = `${ENTERPRISE_USER_SCHEMA}:manager`;
    const plain = patch(base(), patchBody({ op: 'Add', path, value: 'mgr-1' }));
    expect((plain[ENTERPRISE_USER_SCHEMA] as Record<string, unknown>).manager).toEqual({ value: 'mgr-1' });
    const object = patch(plain, patchBody({ op: 'Replace', path, value: { value: 'mgr-2' } }));
    expect((object[ENTERPRISE_USER_SCHEMA] as Record<string, unknown>).manager).toEqual({ value: 'mgr-2' });
    const removed = patch(object, patchBody({ op: 'Remove', path, value: [{ value: 'mgr-2' }] }));
    expect(removed[ENTERPRISE_USER_SCHEMA]).toEqual({ department: 'Sales' });
  });

  it('takes case-insensitive and schema-qualified core paths', () => {
    const out = patch(
      base(),
      patchBody({ op: 'replace', path: 'urn:ietf:params:scim:schemas:core:2.0:User:Title', value: 'CTO' }),
    );
    expect(out.title).toBe('CTO');
    expect(canonicalPath('NAME.GIVENNAME', USER_RESOURCE_TYPE)).toBe('name.givenName');
    expect(canonicalPath('Emails[Type eq "Work"].Value', USER_RESOURCE_TYPE)).toBe(
      'emails[type eq "Work"].value',
    );
    expect(patch(base(), patchBody({ op: 'replace', path: 'UserName', value: 'z@x.com' })).userName).toBe(
      'z@x.com',
    );
  });

  it.each([
    [{ op: 'replace', path: 'id', value: 'x' }, 'mutability'],
    [{ op: 'replace', path: 'meta.created', value: 'x' }, 'mutability'],
    [{ op: 'add', path: 'groups', value: [{ value: 'g' }] }, 'mutability'],
    [{ op: 'replace', path: 'nosuch', value: 'x' }, 'invalidPath'],
    [{ op: 'replace', path: 'emails[type eq', value: 'x' }, 'invalidPath'],
    [{ op: 'remove' }, 'noTarget'],
    [{ op: 'jump', path: 'title', value: 'x' }, 'invalidSyntax'],
    [{ op: 'replace', path: 'active', value: 'maybe' }, 'invalidValue'],
    [{ op: 'replace', value: 'not an object' }, 'invalidValue'],
    [{ op: 'remove', path: 'userName' }, 'invalidValue'],
  ])('refuses %j with %s', (operation, scimType) => {
    expect.assertions(2);
    try {
      patch(base(), patchBody(operation));
    } catch (error) {
      expect(error).toBeInstanceOf(ScimError);
      expect((error as ScimError).scimType).toBe(scimType);
    }
  });

  it('refuses bodies that are not PatchOp requests', () => {
    expect(() => normalizePatchRequest({ Operations: [] }, USER_RESOURCE_TYPE)).toThrow(ScimError);
    expect(() =>
      normalizePatchRequest({ schemas: ['x'], Operations: [{ op: 'add' }] }, USER_RESOURCE_TYPE),
    ).toThrow(ScimError);
    expect(() => normalizePatchRequest('nope', USER_RESOURCE_TYPE)).toThrow(ScimError);
  });

  it('answers malformed operations with a 400 SCIM error, never anything else', () => {
    const value = fc.oneof(
      fc.string(),
      fc.boolean(),
      fc.integer(),
      fc.constant(null),
      fc.dictionary(fc.string(), fc.string()),
    );
    const operation = fc.record(
      {
        op: fc.oneof(fc.constantFrom('add', 'Replace', 'remove', 'REMOVE', 'x'), fc.string()),
        path: fc.oneof(
          fc.constantFrom(
            'title',
            'name.givenName',
            'emails[type eq "work"].value',
            'active',
            'emails',
            `${ENTERPRISE_USER_SCHEMA}:manager`,
          ),
          fc.string(),
        ),
        value,
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.array(operation, { minLength: 1, maxLength: 4 }), (ops) => {
        try {
          patch(base(), patchBody(...ops));
        } catch (error) {
          return error instanceof ScimError && error.status === 400;
        }
        return true;
      }),
      { numRuns: 2000 },
    );
  });
});
