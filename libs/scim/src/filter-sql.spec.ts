import { parseFilter } from './filter';
import { filterToSql, SqlMapping } from './filter-sql';
import { USER_RESOURCE_TYPE } from './schemas';
import { ScimError } from './errors';

const mapping: SqlMapping = {
  resourceType: USER_RESOURCE_TYPE,
  document: 'd',
  columns: {
    id: { sql: 'id', type: 'uuid' },
    userName: { sql: 'user_name', type: 'text' },
    externalId: { sql: 'external_id', type: 'text' },
    active: { sql: 'active', type: 'boolean' },
    'meta.created': { sql: 'created_at', type: 'timestamptz' },
  },
};
const sql = (filter: string, offset = 1) => filterToSql(parseFilter(filter), mapping, offset);

describe('filterToSql', () => {
  it('compares userName case-insensitively on the indexed expression, externalId exactly', () => {
    expect(sql('USERNAME eq "Bob"')).toEqual({ sql: '(lower(user_name) = lower($2))', params: ['Bob'] });
    expect(sql('externalId eq "AbC"')).toEqual({ sql: '(external_id = $2)', params: ['AbC'] });
  });

  it('keeps values out of the SQL text', () => {
    const { sql: text, params } = sql(`displayName co "x'); DROP TABLE subjects; --"`);
    expect(text).not.toContain('DROP');
    expect(params).toEqual([`x'); DROP TABLE subjects; --`]);
  });

  it('uses the uuid column for id equality and matches nothing for a non-UUID id', () => {
    expect(sql('id eq "8f7c6a52-3c1e-4e1f-9b1a-2f0e7c9d1a11"').sql).toBe('(id = $2::uuid)');
    expect(sql('id eq "not-a-uuid"')).toEqual({ sql: 'false', params: [] });
  });

  it('translates value paths into EXISTS over the elements of one attribute', () => {
    const { sql: text, params } = sql('emails[type eq "work"].value eq "a@x.com"');
    expect(text).toContain('EXISTS (SELECT 1 FROM jsonb_array_elements(');
    expect(text).toContain("lower(el->>'type') = lower($2)");
    expect(text).toContain("lower(el->>'value') = lower($3)");
    expect(params).toEqual(['work', 'a@x.com']);
  });

  it('reads extension attributes from the document', () => {
    expect(sql('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "m"').sql).toBe(
      `((d #>> '{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",manager,value}') = $2)`,
    );
  });

  it.each([
    ['active eq "yes"', 'boolean'],
    ['active gt true', 'does not apply'],
    ['nosuch eq "x"', 'unknown attribute'],
    ['name eq "x"', 'complex'],
    ['meta.created gt "yesterday"', 'dateTime'],
    ['userName[value eq "x"]', 'multi-valued'],
  ])('rejects %s with invalidFilter', (filter, message) => {
    expect(() => sql(filter)).toThrow(ScimError);
    expect(() => sql(filter)).toThrow(message);
  });
});

describe('filterToSql on tenant policy attributes', () => {
  const METADATA = 'urn:ietf:params:scim:schemas:extension:2.0:Metadata';

  it('finds a Metadata key ignoring its case, the key and the value both bound as parameters', () => {
    const { sql: text, params } = sql(`${METADATA}:costCenter eq "42"`);
    expect(text).toBe(
      `(lower((SELECT m.value FROM jsonb_each_text(CASE WHEN jsonb_typeof(d->'${METADATA}') = 'object' THEN d->'${METADATA}' ELSE '{}'::jsonb END) m WHERE lower(m.key) = lower($2) LIMIT 1)) = lower($3))`,
    );
    expect(params).toEqual(['costCenter', '42']);
  });

  it("accepts Microsoft's naming pattern for the extension and refuses keys that are not attribute names", () => {
    expect(sql('urn:ietf:params:scim:schemas:extension:Metadata:2.0:User:region pr').params).toEqual([
      'region',
    ]);
    expect(() => sql(`${METADATA}:a'b eq "x"`)).toThrow(ScimError);
    expect(() => sql(`${METADATA}:costCenter.x eq "x"`)).toThrow('unknown attribute');
  });

  it('filters folders, userType and roles.value', () => {
    expect(
      sql('urn:ietf:params:scim:schemas:extension:2.0:CustomExtensionName:folders eq "A"').sql,
    ).toContain(`(el #>> '{}') = $2`);
    expect(sql('userType eq "Premium"').sql).toBe(`(lower((d #>> '{userType}')) = lower($2))`);
    expect(sql('roles.value eq "Admin"').sql).toContain(`lower(el->>'value') = lower($2)`);
  });
});
