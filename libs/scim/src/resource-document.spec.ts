import { ScimError } from './errors';
import { ENTERPRISE_USER_SCHEMA, USER_SCHEMA } from './schemas';
import { normalizeUserDocument } from './resource-document';

describe('normalizeUserDocument', () => {
  it('accepts an older Entra body: nulls, odd case, string booleans, a malformed extension URN', () => {
    const doc = normalizeUserDocument({
      schemas: [
        USER_SCHEMA,
        ENTERPRISE_USER_SCHEMA,
        'urn:ietf:params:scim:schemas:extension:2.0:CustomExtensionName',
      ],
      UserName: 'Ann@Contoso.com',
      Active: 'True',
      displayName: null,
      title: 'Engineer',
      phoneNumbers: [{ type: 'work', value: '+1 (555) 010-0000', primary: 'true' }],
      roles: [],
      meta: { resourceType: 'User' },
      id: 'client-chosen',
      'urn:ietf:params:scim:schemas:extension:2.0:CustomExtensionName': { folders: ['A', 'B'], empty: null },
      [ENTERPRISE_USER_SCHEMA]: { department: 'R&D', manager: 'mgr-id', costCenter: null },
    });
    expect(doc).toEqual({
      schemas: [
        USER_SCHEMA,
        'urn:ietf:params:scim:schemas:extension:2.0:CustomExtensionName',
        ENTERPRISE_USER_SCHEMA,
      ],
      userName: 'Ann@Contoso.com',
      active: true,
      title: 'Engineer',
      phoneNumbers: [{ type: 'work', value: '+1 (555) 010-0000', primary: true }],
      roles: [],
      'urn:ietf:params:scim:schemas:extension:2.0:CustomExtensionName': { folders: ['A', 'B'] },
      [ENTERPRISE_USER_SCHEMA]: { department: 'R&D', manager: { value: 'mgr-id' } },
    });
  });

  it('keeps a declared but empty unknown schema URN', () => {
    const doc = normalizeUserDocument({ schemas: [USER_SCHEMA, 'urn:example:custom'], userName: 'x' });
    expect(doc.schemas).toEqual([USER_SCHEMA, 'urn:example:custom']);
  });

  it.each([
    [{ schemas: [USER_SCHEMA] }, 'userName is required'],
    [{ userName: '  ' }, 'userName is required'],
    [{ userName: 7 }, 'userName must be a string'],
    [{ userName: 'x', active: 'maybe' }, 'active must be a boolean'],
    [{ userName: 'x', name: 'Ann' }, 'name must be an object'],
    [{ userName: 'x', [ENTERPRISE_USER_SCHEMA]: 'x' }, 'must be an object'],
  ])('refuses %j with invalidValue', (body, message) => {
    expect(() => normalizeUserDocument(body)).toThrow(message);
    expect(() => normalizeUserDocument(body)).toThrow(ScimError);
  });

  it('refuses a body that is not an object with invalidSyntax', () => {
    try {
      normalizeUserDocument([1, 2]);
      throw new Error('accepted');
    } catch (error) {
      expect((error as ScimError).scimType).toBe('invalidSyntax');
    }
  });
});
