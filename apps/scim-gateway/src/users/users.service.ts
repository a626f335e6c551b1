import { Injectable } from '@nestjs/common';
import { ProvisioningCommandName } from '@app/contracts';
import {
  listResponse,
  normalizePatchRequest,
  normalizeUserDocument,
  notFound,
  project,
  Projection,
  projectionExcludes,
  renderResource,
  USER_RESOURCE_TYPE,
} from '@app/scim';
import { ScimGatewayConfig } from '../config/scim-gateway.config';
import { ProvisioningClient } from '../provisioning/provisioning-client.service';
import { parseListQuery, searchRequestQuery } from '../resources/list-query';
import { Row } from '../resources/resource-lister';
import { ScimPrincipal } from '../scim-auth/scim-principal';
import { UsersRepository } from './users.repository';

export type { ScimResource } from '../resources/scim-resource.controller';
import type { ScimResource } from '../resources/scim-resource.controller';

/** SCIM /Users: reads straight from the database, writes as provisioning commands through IAM. */
@Injectable()
export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly provisioning: ProvisioningClient,
    private readonly config: ScimGatewayConfig,
  ) {}

  async create(principal: ScimPrincipal, body: unknown, baseUrl: string): Promise<ScimResource> {
    const document = normalizeUserDocument(body);
    const subject = await this.provisioning.send(principal, ProvisioningCommandName.CreateUser, { document });
    return render(subject!, baseUrl); // a new User belongs to no group yet
  }

  async get(
    principal: ScimPrincipal,
    id: string,
    baseUrl: string,
    projection: Projection,
  ): Promise<ScimResource> {
    const subject = await this.users.findById(principal.tenantId, id, wantsGroups(projection));
    if (!subject) throw notFound(`User ${id} not found`);
    return render(subject, baseUrl, projection);
  }

  async list(
    principal: ScimPrincipal,
    query: Record<string, unknown>,
    baseUrl: string,
  ): Promise<ScimResource> {
    const { projection, ...resourceQuery } = parseListQuery(query, this.config.SCIM_MAX_RESULTS);
    const { total, resources } = await this.users.list(
      principal.tenantId,
      resourceQuery,
      wantsGroups(projection),
    );
    return listResponse(
      resources.map((subject) => render(subject, baseUrl, projection)),
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
    const document = normalizeUserDocument(body);
    await this.provisioning.send(principal, ProvisioningCommandName.ReplaceUser, {
      subjectId: id,
      document,
      ifMatchVersion: ifMatch,
    });
    return this.readBack(principal, id, baseUrl);
  }

  async patch(
    principal: ScimPrincipal,
    id: string,
    body: unknown,
    baseUrl: string,
    ifMatch?: number,
  ): Promise<ScimResource> {
    const operations = normalizePatchRequest(body, USER_RESOURCE_TYPE);
    await this.provisioning.send(principal, ProvisioningCommandName.PatchUser, {
      subjectId: id,
      operations,
      ifMatchVersion: ifMatch,
    });
    return this.readBack(principal, id, baseUrl);
  }

  async delete(principal: ScimPrincipal, id: string, ifMatch?: number): Promise<void> {
    await this.provisioning.send(principal, ProvisioningCommandName.DeleteUser, {
      subjectId: id,
      ifMatchVersion: ifMatch,
    });
  }

  /** The whole User after a write (its groups included), as RFC 7644 §3.5 asks of a 200 answer. */
  private async readBack(principal: ScimPrincipal, id: string, baseUrl: string): Promise<ScimResource> {
    const subject = await this.users.findById(principal.tenantId, id, true);
    if (!subject) throw notFound(`User ${id} not found`);
    return render(subject, baseUrl);
  }
}

const wantsGroups = (projection: Projection) => !projectionExcludes(projection, USER_RESOURCE_TYPE, 'groups');

/** A User with its read-only `groups` (direct memberships) when they were read. */
function render(subject: Row, baseUrl: string, projection: Projection = {}): ScimResource {
  const groups = (subject.related ?? []).map((g) => ({
    value: g.value,
    $ref: `${baseUrl}/Groups/${g.value}`,
    display: g.display,
    type: 'direct',
  }));
  const resource = renderResource(
    subject.id,
    subject.document,
    {
      resourceType: 'User',
      created: subject.createdAt,
      lastModified: subject.updatedAt,
      location: `${baseUrl}/Users/${subject.id}`,
      version: subject.version,
    },
    groups.length > 0 ? { groups } : {},
  );
  return project(resource, projection, USER_RESOURCE_TYPE);
}
