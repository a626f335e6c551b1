import fc from 'fast-check';
import { ScimError } from './errors';
import { CompareOp, Filter, parseFilter } from './filter';

/** Writes an AST back as filter text (test helper: the property below parses it again). */
function format(f: Filter): string {
  switch (f.kind) {
    case 'compare':
      return `${f.attrPath} ${f.op} ${JSON.stringify(f.value)}`;
    case 'present':
      return `${f.attrPath} pr`;
    case 'and':
    case 'or':
      return `(${format(f.left)} ${f.kind} ${format(f.right)})`;
    case 'not':
      return `not (${format(f.filter)})`;
    case 'valuePath':
      return `${f.attrPath}[${format(f.filter)}]`;
  }
}

describe('parseFilter', () => {
  it('parses the filters Entra ID sends', () => {
    expect(parseFilter('userName eq "bjensen@contoso.com"')).toEqual({
      kind: 'compare',
      attrPath: 'userName',
      op: 'eq',
      value: 'bjensen@contoso.com',
    });
    expect(parseFilter('externalId eq "abc" and userName eq "x"').kind).toBe('and');
    expect(parseFilter('userName+eq+"a+b@x.com"')).toEqual({
      kind: 'compare',
      attrPath: 'userName',
      op: 'eq',
      value: 'a+b@x.com',
    });
  });

  it('keeps `emails[type eq "work"].value eq "x"` on one element', () => {
    expect(parseFilter('emails[type eq "work"].value eq "a@x.com"')).toEqual({
      kind: 'valuePath',
      attrPath: 'emails',
      filter: {
        kind: 'and',
        left: { kind: 'compare', attrPath: 'type', op: 'eq', value: 'work' },
        right: { kind: 'compare', attrPath: 'value', op: 'eq', value: 'a@x.com' },
      },
    });
  });

  it('binds not tighter than and, and tighter than or', () => {
    const f = parseFilter('a pr or b pr and not (c pr)');
    expect(f).toEqual({
      kind: 'or',
      left: { kind: 'present', attrPath: 'a' },
      right: {
        kind: 'and',
        left: { kind: 'present', attrPath: 'b' },
        right: { kind: 'not', filter: { kind: 'present', attrPath: 'c' } },
      },
    });
  });

  it('reads operators case-insensitively and typed values', () => {
    expect(parseFilter('active EQ True')).toEqual({
      kind: 'compare',
      attrPath: 'active',
      op: 'eq',
      value: true,
    });
    expect(parseFilter('x gt 4.5')).toEqual({ kind: 'compare', attrPath: 'x', op: 'gt', value: 4.5 });
    expect(parseFilter('x eq null')).toEqual({ kind: 'compare', attrPath: 'x', op: 'eq', value: null });
    expect(
      parseFilter('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "x"'),
    ).toMatchObject({
      attrPath: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department',
    });
  });

  it.each([
    '',
    'userName',
    'userName eq',
    'userName eq bob',
    'userName xx "a"',
    '(userName eq "a"',
    'emails[type eq "w"',
    'a eq "x" and',
    '"a" eq "b"',
    'userName eq "unterminated',
    'a eq "x")',
    'not a pr',
  ])('rejects %j with invalidFilter', (text) => {
    expect(() => parseFilter(text)).toThrow(ScimError);
    try {
      parseFilter(text);
    } catch (error) {
      expect((error as ScimError).scimType).toBe('invalidFilter');
      expect((error as ScimError).status).toBe(400);
    }
  });

  it('never throws anything but a 400 invalidFilter on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (text) => {
        try {
          parseFilter(text);
        } catch (error) {
          return error instanceof ScimError && error.status === 400 && error.scimType === 'invalidFilter';
        }
        return true;
      }),
      { numRuns: 3000 },
    );
  });

  it('parses back what it formats (round trip over generated filters)', () => {
    const attr = fc.constantFrom(
      'userName',
      'name.givenName',
      'emails.value',
      'active',
      'meta.created',
      'title',
    );
    const op = fc.constantFrom<CompareOp>('eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le');
    const value = fc.oneof(fc.string({ maxLength: 10 }), fc.integer(), fc.boolean(), fc.constant(null));
    const leaf: fc.Arbitrary<Filter> = fc.oneof(
      fc.record({ kind: fc.constant('compare' as const), attrPath: attr, op, value }),
      fc.record({ kind: fc.constant('present' as const), attrPath: attr }),
    );
    const tree = fc.letrec<{ f: Filter }>((tie) => ({
      f: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        leaf,
        fc.record({ kind: fc.constantFrom('and' as const, 'or' as const), left: tie('f'), right: tie('f') }),
        fc.record({ kind: fc.constant('not' as const), filter: tie('f') }),
        fc.record({ kind: fc.constant('valuePath' as const), attrPath: fc.constant('emails'), filter: leaf }),
      ),
    })).f;
    fc.assert(
      fc.property(tree, (f) => expect(parseFilter(format(f))).toEqual(f)),
      { numRuns: 500 },
    );
  });
});
