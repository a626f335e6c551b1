import { ScimError, SEARCH_REQUEST_SCHEMA } from '@app/scim';
import { parseListQuery, searchRequestQuery } from './list-query';

const MAX = 50;
/** The SCIM error a call throws (status and scimType), or undefined. */
const refusal = (call: () => unknown) => {
  try {
    call();
  } catch (error) {
    expect(error).toBeInstanceOf(ScimError);
    const { status, scimType } = error as ScimError;
    return { status, scimType };
  }
  return undefined;
};

describe('parseListQuery', () => {
  it('without parameters: no filter, creation order, the first 100 within maxResults', () => {
    expect(parseListQuery({}, 1000)).toEqual({
      filter: undefined,
      sortBy: undefined,
      descending: false,
      paging: { startIndex: 1, count: 100 },
      projection: { attributes: undefined, excludedAttributes: undefined },
    });
    expect(parseListQuery({}, MAX).paging).toEqual({ startIndex: 1, count: MAX });
  });

  it('parses the filter, and treats a blank one as none', () => {
    expect(parseListQuery({ filter: 'userName eq "a@b.c"' }, MAX).filter).toEqual({
      kind: 'compare',
      attrPath: 'userName',
      op: 'eq',
      value: 'a@b.c',
    });
    expect(parseListQuery({ filter: '   ' }, MAX).filter).toBeUndefined();
  });

  it('refuses a filter it cannot parse as 400 invalidFilter', () => {
    expect(refusal(() => parseListQuery({ filter: 'userName eq' }, MAX))).toEqual({
      status: 400,
      scimType: 'invalidFilter',
    });
  });

  it('reads sortBy and sortOrder (any case), and refuses another order', () => {
    expect(parseListQuery({ sortby: 'userName', sortorder: 'Descending' }, MAX)).toMatchObject({
      sortBy: 'userName',
      descending: true,
    });
    expect(parseListQuery({ sortorder: 'ascending' }, MAX).descending).toBe(false);
    expect(refusal(() => parseListQuery({ sortorder: 'up' }, MAX))).toEqual({
      status: 400,
      scimType: 'invalidValue',
    });
  });

  it('pages within maxResults and refuses a count that is not an integer', () => {
    expect(parseListQuery({ startindex: '3', count: '10' }, MAX).paging).toEqual({
      startIndex: 3,
      count: 10,
    });
    expect(parseListQuery({ startindex: '0', count: '5000' }, MAX).paging).toEqual({
      startIndex: 1,
      count: MAX,
    });
    expect(parseListQuery({ count: '0' }, MAX).paging.count).toBe(0);
    expect(refusal(() => parseListQuery({ count: 'ten' }, MAX))?.status).toBe(400);
  });

  it('reads attributes and excludedAttributes as lists', () => {
    expect(
      parseListQuery({ attributes: 'userName, emails', excludedattributes: 'groups' }, MAX).projection,
    ).toEqual({
      attributes: ['userName', 'emails'],
      excludedAttributes: ['groups'],
    });
  });

  it('ignores parameters that are not strings where strings are expected', () => {
    expect(parseListQuery({ filter: ['a', 'b'], sortby: 3 }, MAX)).toMatchObject({
      filter: undefined,
      sortBy: undefined,
    });
  });
});

describe('searchRequestQuery', () => {
  it('turns a SearchRequest body into the parameters a GET would carry', () => {
    const query = searchRequestQuery({
      schemas: [SEARCH_REQUEST_SCHEMA],
      filter: 'displayName sw "A"',
      startIndex: 2,
      count: 5,
      sortOrder: 'descending',
      attributes: ['displayName', 'externalId'],
    });
    expect(query).toEqual({
      schemas: SEARCH_REQUEST_SCHEMA,
      filter: 'displayName sw "A"',
      startindex: 2,
      count: 5,
      sortorder: 'descending',
      attributes: 'displayName,externalId',
    });
    expect(parseListQuery(query, MAX)).toMatchObject({
      descending: true,
      paging: { startIndex: 2, count: 5 },
      projection: { attributes: ['displayName', 'externalId'] },
    });
  });

  it('accepts an empty body and one without schemas', () => {
    expect(searchRequestQuery(undefined)).toEqual({});
    expect(searchRequestQuery({ count: 1 })).toEqual({ count: 1 });
  });

  it('refuses a body that declares other schemas, and keys that name reserved properties', () => {
    expect(refusal(() => searchRequestQuery({ schemas: ['urn:other'] }))).toEqual({
      status: 400,
      scimType: 'invalidValue',
    });
    expect(refusal(() => searchRequestQuery(JSON.parse('{"__proto__": {"count": 1}}')))?.status).toBe(400);
  });
});
