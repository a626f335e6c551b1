import { Injectable } from '@nestjs/common';
import { ProvisioningCommandName, ResourceSnapshot } from '@app/contracts';
import {
  GROUP_RESOURCE_TYPE,
  listResponse,
  normalizeGroupDocument,
  normalizePatchRequest,
  notFound,
  project,
  Projection,
  projectionExcludes,
  renderResource,
} from '@app/scim';
import { ScimGatewayConfig } from '../config/scim-gateway.config';
import { ProvisioningClient } from '../provisioning/provisioning-client.service';
import { parseListQuery, searchRequestQuery } from '../resources/list-query';
import { ScimPrincipal } from '../scim-auth/scim-principal';
import { GroupsRepository } from './groups.repository';

export type { ScimResource } from '../resources/scim-resource.controller';
import type { ScimResource } from '../resources/scim-resource.controller';

/** SCIM /Groups: members are subjects; the member list is read only when the response includes it. */
@Injectable()
export class GroupsService {
  constructor(
    private readonly groups: GroupsRepository,
    private readonly provisioning: ProvisioningClient,
    private readonly config: ScimGatewayConfig,
  ) {}

  async create(principal: ScimPrincipal, body: unknown, baseUrl: string): Promise<ScimResource> {
    const { document, members } = normalizeGroupDocument(body);
    const group = await this.provisioning.send(principal, ProvisioningCommandName.CreateGroup, {
      document,
      members: members ?? [],
    });
    return this.renderOne(principal, group!, baseUrl);
  }

  async get(
    principal: ScimPrincipal,
    id: string,
    baseUrl: string,
    projection: Projection,
  ): Promise<ScimResource> {
    const group = await this.groups.findById(principal.tenantId, id);
    if (!group) throw notFound(`Group ${id} not found`);
    return this.renderOne(principal, group, baseUrl, projection);
  }

  async list(
    principal: ScimPrincipal,
    query: Record<string, unknown>,
    baseUrl: string,
  ): Promise<ScimResource> {
    const { projection, ...resourceQuery } = parseListQuery(query, this.config.SCIM_MAX_RESULTS);
    const { total, resources } = await this.groups.list(principal.tenantId, resourceQuery);
    return listResponse(
      await this.render(principal, resources, baseUrl, projection),
      total,
      resourceQuery.paging,
    );
  }

  search(principal: ScimPrincipal, body: unknown, baseUrl: string): Promise<ScimResource> {
    return this.list(principal, searchRequestQuery(body), baseUrl);
  }

  async replace(
    principal: ScimPrincipal,
    id: string,
    body: unknown,
    baseUrl: string,
    ifMatch?: number,
  ): Promise<ScimResource> {
    const { document, members } = normalizeGroupDocument(body);
    const group = await this.provisioning.send(principal, ProvisioningCommandName.ReplaceGroup, {
      groupId: id,
      document,
      members,
      ifMatchVersion: ifMatch,
    });
    return this.renderOne(principal, group!, baseUrl);
  }

  /** Answered 204: rendering a group of 100,000 members after adding one would undo the delta's point. */
  async patch(
    principal: ScimPrincipal,
    id: string,
    body: unknown,
    ifMatch?: number,
  ): Promise<ResourceSnapshot> {
    const operations = normalizePatchRequest(body, GROUP_RESOURCE_TYPE);
    const group = await this.provisioning.send(principal, ProvisioningCommandName.PatchGroup, {
      groupId: id,
      operations,
      ifMatchVersion: ifMatch,
    });
    return group!;
  }

  async delete(principal: ScimPrincipal, id: string, ifMatch?: number): Promise<void> {
    await this.provisioning.send(principal, ProvisioningCommandName.DeleteGroup, {
      groupId: id,
      ifMatchVersion: ifMatch,
    });
  }

  private async renderOne(
    principal: ScimPrincipal,
    group: ResourceSnapshot,
    baseUrl: string,
    projection: Projection = {},
  ): Promise<ScimResource> {
    return (await this.render(principal, [group], baseUrl, projection))[0]!;
  }

  private async render(
    principal: ScimPrincipal,
    groups: ResourceSnapshot[],
    baseUrl: string,
    projection: Projection,
  ): Promise<ScimResource[]> {
    const withMembers = !projectionExcludes(projection, GROUP_RESOURCE_TYPE, 'members');
    const rows = withMembers
      ? await this.groups.membersOf(
          principal.tenantId,
          groups.map((g) => g.id),
        )
      : [];
    const byGroup = new Map<string, Array<Record<string, string>>>();
    for (const row of rows) {
      const list = byGroup.get(row.group_id) ?? byGroup.set(row.group_id, []).get(row.group_id)!;
      list.push({
        value: row.subject_id,
        $ref: `${baseUrl}/Users/${row.subject_id}`,
        display: row.display,
        type: 'User',
      });
    }
    return groups.map((group) => {
      const resource = renderResource(
        group.id,
        group.document,
        {
          resourceType: 'Group',
          created: group.createdAt,
          lastModified: group.updatedAt,
          location: `${baseUrl}/Groups/${group.id}`,
          version: group.version,
        },
        withMembers ? { members: byGroup.get(group.id) ?? [] } : {},
      );
      return project(resource, projection, GROUP_RESOURCE_TYPE);
    });
  }
}
