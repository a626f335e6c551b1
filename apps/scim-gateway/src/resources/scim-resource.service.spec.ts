import { ProvisioningCommandName, ResourceSnapshot } from '@app/contracts';
import { ScimError } from '@app/scim';
import { SCIM_GROUPS } from '../groups/scim-groups.resource-type';
import { ProvisioningClient, ProvisioningRequest } from '../provisioning/provisioning-client';
import { ScimPrincipal } from '../scim-auth/scim-principal';
import { SCIM_USERS } from '../users/scim-users.resource-type';
import { ResourceQuery, ResourceRow, ScimResourceRepository } from './scim-resource.repository';
import { ScimResourceService } from './scim-resource.service';
import { ScimResourceType } from './scim-resource-type';

const BASE = 'https://scim.example/t1/api/scim/v2';
const PRINCIPAL: ScimPrincipal = {
  tokenId: 'tok',
  tenantId: 't1',
  identityProviderId: 'idp',
  provider: 'azuread',
  expiresAt: Date.now() + 60_000,
};
const ID = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';
const OTHER = '6ba7b811-9dad-11d1-80b4-00c04fd430c8';
const snapshot = (document: Record<string, unknown>): ResourceSnapshot => ({
  id: ID,
  document,
  version: 2,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-02T00:00:00.000Z',
});

/** One stored row; reads hand back `related` only when asked, as the SQL does. */
class FakeRepository {
  reads: Array<{ withRelated: boolean }> = [];
  query?: ResourceQuery;
  constructor(
    private readonly row: ResourceSnapshot,
    private readonly related: ResourceRow['related'],
  ) {}
  private answer(withRelated: boolean): ResourceRow {
    this.reads.push({ withRelated });
    return withRelated ? { ...this.row, related: this.related } : { ...this.row };
  }
  async findById(_tenant: string, id: string, withRelated: boolean) {
    return id === this.row.id ? this.answer(withRelated) : undefined;
  }
  async list(_tenant: string, query: ResourceQuery, withRelated: boolean) {
    this.query = query;
    return { total: 1, resources: [this.answer(withRelated)] };
  }
}

function serviceFor(
  type: ScimResourceType,
  document: Record<string, unknown>,
  related: ResourceRow['related'],
) {
  const repository = new FakeRepository(snapshot(document), related);
  const sent: ProvisioningRequest[] = [];
  const provisioning = {
    send: async (principal: ScimPrincipal, request: ProvisioningRequest) => {
      expect(principal).toBe(PRINCIPAL);
      sent.push(request);
      return request.name.startsWith('delete') ? null : snapshot(document);
    },
  } as unknown as ProvisioningClient;
  const service = new ScimResourceService(
    type,
    repository as unknown as ScimResourceRepository,
    provisioning,
    200,
  );
  return { service, repository, sent };
}

const USER_DOC = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'bjensen' };
const GROUP_DOC = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Sales' };
const PATCH = {
  schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
  Operations: [{ op: 'Replace', path: 'displayName', value: 'x' }],
};

describe('ScimResourceService with the User type', () => {
  it('creates with CreateUser and answers from the command result, with no read (a new User is in no group)', async () => {
    const { service, repository, sent } = serviceFor(SCIM_USERS, USER_DOC, []);
    const user = await service.create(PRINCIPAL, { ...USER_DOC, userName: 'bjensen' }, BASE);
    expect(sent).toEqual([
      { name: ProvisioningCommandName.CreateUser, document: expect.objectContaining(USER_DOC) },
    ]);
    expect(repository.reads).toEqual([]);
    expect(user).toMatchObject({
      id: ID,
      userName: 'bjensen',
      meta: { resourceType: 'User', location: `${BASE}/Users/${ID}`, version: 'W/"2"' },
    });
    expect(user).not.toHaveProperty('groups');
  });

  it('renders groups as direct memberships pointing to /Groups, and leaves an empty list out', async () => {
    const { service } = serviceFor(SCIM_USERS, USER_DOC, [{ value: OTHER, display: 'Sales' }]);
    expect((await service.get(PRINCIPAL, ID, BASE, {})).groups).toEqual([
      { value: OTHER, $ref: `${BASE}/Groups/${OTHER}`, display: 'Sales', type: 'direct' },
    ]);
    const lonely = serviceFor(SCIM_USERS, USER_DOC, []).service;
    expect(await lonely.get(PRINCIPAL, ID, BASE, {})).not.toHaveProperty('groups');
  });

  it('replaces with ReplaceUser (If-Match passed on) and reads the User back with its groups', async () => {
    const { service, repository, sent } = serviceFor(SCIM_USERS, USER_DOC, [
      { value: OTHER, display: 'Sales' },
    ]);
    const user = await service.replace(PRINCIPAL, ID, USER_DOC, BASE, 1);
    expect(sent).toEqual([
      {
        name: ProvisioningCommandName.ReplaceUser,
        subjectId: ID,
        document: expect.any(Object),
        ifMatchVersion: 1,
      },
    ]);
    expect(repository.reads).toEqual([{ withRelated: true }]);
    expect(user.groups).toHaveLength(1);
  });

  it('answers a write from the command result when it carries the groups (IAM read them in the write), reading nothing', async () => {
    const { service, repository } = serviceFor(SCIM_USERS, USER_DOC, [{ value: OTHER, display: 'Stale' }]);
    const written = { ...snapshot(USER_DOC), related: [{ value: OTHER, display: 'Sales' }] };
    const user = await service.answer(PRINCIPAL, written, BASE);
    expect(repository.reads).toEqual([]);
    expect(user.groups).toEqual([
      { value: OTHER, $ref: `${BASE}/Groups/${OTHER}`, display: 'Sales', type: 'direct' },
    ]);
    expect(user).toMatchObject({ id: ID, meta: { version: 'W/"2"' } });
    // Without related values in the result (a Group's command), the resource is read back.
    await service.answer(PRINCIPAL, snapshot(USER_DOC), BASE);
    expect(repository.reads).toEqual([{ withRelated: true }]);
  });

  it('patches with PatchUser and normalised operations, and deletes with DeleteUser', async () => {
    const { service, sent } = serviceFor(SCIM_USERS, USER_DOC, []);
    await expect(service.patch(PRINCIPAL, ID, PATCH, 4)).resolves.toMatchObject({ id: ID, version: 2 });
    await service.delete(PRINCIPAL, ID);
    expect(sent).toEqual([
      {
        name: ProvisioningCommandName.PatchUser,
        subjectId: ID,
        operations: [{ op: 'replace', path: 'displayName', value: 'x' }],
        ifMatchVersion: 4,
      },
      { name: ProvisioningCommandName.DeleteUser, subjectId: ID, ifMatchVersion: undefined },
    ]);
  });

  it('does not read groups when the projection leaves them out', async () => {
    const { service, repository } = serviceFor(SCIM_USERS, USER_DOC, [{ value: OTHER, display: 'Sales' }]);
    await service.get(PRINCIPAL, ID, BASE, { excludedAttributes: ['groups'] });
    await service.list(PRINCIPAL, { attributes: 'userName' }, BASE);
    expect(repository.reads).toEqual([{ withRelated: false }, { withRelated: false }]);
  });

  it('answers an unknown id with 404 naming the type', async () => {
    const { service } = serviceFor(SCIM_USERS, USER_DOC, []);
    const error = await service.get(PRINCIPAL, OTHER, BASE, {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScimError);
    expect(error).toMatchObject({ status: 404, detail: `User ${OTHER} not found` });
  });
});

describe('ScimResourceService with the Group type', () => {
  const member = { value: OTHER, display: 'Barbara' };

  it('creates with CreateGroup (members default to none) and reads the Group back with its members', async () => {
    const { service, repository, sent } = serviceFor(SCIM_GROUPS, GROUP_DOC, [member]);
    const group = await service.create(PRINCIPAL, GROUP_DOC, BASE);
    expect(sent).toEqual([
      {
        name: ProvisioningCommandName.CreateGroup,
        document: expect.objectContaining(GROUP_DOC),
        members: [],
      },
    ]);
    expect(repository.reads).toEqual([{ withRelated: true }]);
    expect(group).toMatchObject({
      meta: { resourceType: 'Group', location: `${BASE}/Groups/${ID}` },
      members: [{ value: OTHER, $ref: `${BASE}/Users/${OTHER}`, display: 'Barbara', type: 'User' }],
    });
  });

  it('leaves members out of an empty group, like any empty multi-valued attribute', async () => {
    const { service, repository } = serviceFor(SCIM_GROUPS, GROUP_DOC, []);
    expect(await service.get(PRINCIPAL, ID, BASE, {})).not.toHaveProperty('members');
    expect(await service.get(PRINCIPAL, ID, BASE, { excludedAttributes: ['members'] })).not.toHaveProperty(
      'members',
    );
    expect(repository.reads).toEqual([{ withRelated: true }, { withRelated: false }]);
  });

  it('replaces with ReplaceGroup, leaving members alone when the body has none, and lists with paging', async () => {
    const { service, repository, sent } = serviceFor(SCIM_GROUPS, GROUP_DOC, [member]);
    await service.replace(PRINCIPAL, ID, GROUP_DOC, BASE);
    await service.replace(PRINCIPAL, ID, { ...GROUP_DOC, members: [{ value: OTHER }] }, BASE);
    expect(sent.map((r) => 'members' in r && r.members)).toEqual([undefined, [OTHER]]);
    const list = await service.search(PRINCIPAL, { startIndex: 1, count: 500 }, BASE);
    expect(repository.query?.paging).toEqual({ startIndex: 1, count: 200 }); // maxResults
    expect(list).toMatchObject({ totalResults: 1, Resources: [{ id: ID, members: [expect.any(Object)] }] });
  });

  it('patches with PatchGroup and returns the command result, reading nothing', async () => {
    const { service, repository, sent } = serviceFor(SCIM_GROUPS, GROUP_DOC, [member]);
    const body = {
      schemas: PATCH.schemas,
      Operations: [{ op: 'Add', path: 'members', value: [{ value: OTHER }] }],
    };
    await expect(service.patch(PRINCIPAL, ID, body)).resolves.toMatchObject({ version: 2 });
    expect(sent[0]).toMatchObject({ name: ProvisioningCommandName.PatchGroup, groupId: ID });
    expect(repository.reads).toEqual([]);
  });
});
