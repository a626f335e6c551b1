import { Injectable } from '@nestjs/common';
import { ProvisioningCommandName, ResourceSnapshot } from '@app/contracts';
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
    return this.renderOne(principal, subject!, baseUrl);
  }

  async get(
    principal: ScimPrincipal,
    id: string,
    baseUrl: string,
    projection: Projection,
  ): Promise<ScimResource> {
    const subject = await this.users.findById(principal.tenantId, id);
    if (!subject) throw notFound(`User ${id} not found`);
    return this.renderOne(principal, subject, baseUrl, projection);
  }

  async list(
    principal: ScimPrincipal,
    query: Record<string, unknown>,
    baseUrl: string,
  ): Promise<ScimResource> {
    const { projection, ...resourceQuery } = parseListQuery(query, this.config.SCIM_MAX_RESULTS);
    const { total, resources } = await this.users.list(principal.tenantId, resourceQuery);
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
    const document = normalizeUserDocument(body);
    const subject = await this.provisioning.send(principal, ProvisioningCommandName.ReplaceUser, {
      subjectId: id,
      document,
      ifMatchVersion: ifMatch,
    });
    return this.renderOne(principal, subject!, baseUrl);
  }

  async patch(
    principal: ScimPrincipal,
    id: string,
    body: unknown,
    baseUrl: string,
    ifMatch?: number,
  ): Promise<ScimResource> {
    const operations = normalizePatchRequest(body, USER_RESOURCE_TYPE);
    const subject = await this.provisioning.send(principal, ProvisioningCommandName.PatchUser, {
      subjectId: id,
      operations,
      ifMatchVersion: ifMatch,
    });
    return this.renderOne(principal, subject!, baseUrl);
  }

  async delete(principal: ScimPrincipal, id: string, ifMatch?: number): Promise<void> {
    await this.provisioning.send(principal, ProvisioningCommandName.DeleteUser, {
      subjectId: id,
      ifMatchVersion: ifMatch,
    });
  }

  private async renderOne(
    principal: ScimPrincipal,
    subject: ResourceSnapshot,
    baseUrl: string,
    projection: Projection = {},
  ): Promise<ScimResource> {
    return (await this.render(principal, [subject], baseUrl, projection))[0]!;
  }

  /** Users with their read-only `groups` (direct memberships), read only when the response includes them. */
  private async render(
    principal: ScimPrincipal,
    subjects: ResourceSnapshot[],
    baseUrl: string,
    projection: Projection,
  ): Promise<ScimResource[]> {
    const withGroups = !projectionExcludes(projection, USER_RESOURCE_TYPE, 'groups');
    const memberships = withGroups
      ? await this.users.groupsOf(
          principal.tenantId,
          subjects.map((s) => s.id),
        )
      : [];
    const bySubject = new Map<string, Array<Record<string, string>>>();
    for (const m of memberships) {
      const list = bySubject.get(m.subject_id) ?? bySubject.set(m.subject_id, []).get(m.subject_id)!;
      list.push({
        value: m.group_id,
        $ref: `${baseUrl}/Groups/${m.group_id}`,
        display: m.display_name,
        type: 'direct',
      });
    }
    return subjects.map((subject) => {
      const groups = bySubject.get(subject.id) ?? [];
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
    });
  }
}
