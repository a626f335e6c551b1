import { Injectable } from '@nestjs/common';
import { ProvisioningCommandName, ResourceSnapshot } from '@app/contracts';
import {
  invalidValue,
  listResponse,
  normalizePatchRequest,
  normalizeUserDocument,
  notFound,
  parseFilter,
  parsePaging,
  parseProjection,
  project,
  Projection,
  renderResource,
  SEARCH_REQUEST_SCHEMA,
  USER_RESOURCE_TYPE,
} from '@app/scim';
import { ScimGatewayConfig } from '../config/scim-gateway.config';
import { ProvisioningClient } from '../provisioning/provisioning-client.service';
import { ScimPrincipal } from '../scim-auth/scim-principal';
import { UsersRepository } from './users.repository';

export type ScimResource = Record<string, unknown>;

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
    return render(subject!, baseUrl);
  }

  async get(
    principal: ScimPrincipal,
    id: string,
    baseUrl: string,
    projection: Projection,
  ): Promise<ScimResource> {
    const subject = await this.users.findById(principal.tenantId, id);
    if (!subject) throw notFound(`User ${id} not found`);
    return project(render(subject, baseUrl), projection, USER_RESOURCE_TYPE);
  }

  async list(
    principal: ScimPrincipal,
    query: Record<string, unknown>,
    baseUrl: string,
  ): Promise<ScimResource> {
    const text = (key: string) => (typeof query[key] === 'string' ? (query[key] as string) : undefined);
    const filterText = text('filter');
    const paging = parsePaging(query.startindex, query.count, this.config.SCIM_MAX_RESULTS);
    const sortOrder = text('sortorder')?.toLowerCase();
    if (sortOrder !== undefined && sortOrder !== 'ascending' && sortOrder !== 'descending') {
      throw invalidValue('sortOrder must be ascending or descending');
    }
    const { total, subjects } = await this.users.list(principal.tenantId, {
      filter: filterText !== undefined && filterText.trim() !== '' ? parseFilter(filterText) : undefined,
      sortBy: text('sortby'),
      descending: sortOrder === 'descending',
      paging,
    });
    const projection = parseProjection(query.attributes, query.excludedattributes);
    const resources = subjects.map((s) => project(render(s, baseUrl), projection, USER_RESOURCE_TYPE));
    return listResponse(resources, total, paging);
  }

  /** POST /.search: the same query in a SearchRequest body (RFC 7644 §3.4.3). */
  async search(principal: ScimPrincipal, body: unknown, baseUrl: string): Promise<ScimResource> {
    const request = (body ?? {}) as Record<string, unknown>;
    const schemas = request.schemas;
    if (Array.isArray(schemas) && !schemas.includes(SEARCH_REQUEST_SCHEMA)) {
      throw invalidValue(`a search body must declare ${SEARCH_REQUEST_SCHEMA}`);
    }
    const joined = (v: unknown) => (Array.isArray(v) ? v.join(',') : v);
    const query: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(request)) query[key.toLowerCase()] = joined(value);
    return this.list(principal, query, baseUrl);
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
    return render(subject!, baseUrl);
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
    return render(subject!, baseUrl);
  }

  async delete(principal: ScimPrincipal, id: string, ifMatch?: number): Promise<void> {
    await this.provisioning.send(principal, ProvisioningCommandName.DeleteUser, {
      subjectId: id,
      ifMatchVersion: ifMatch,
    });
  }
}

function render(subject: ResourceSnapshot, baseUrl: string): ScimResource {
  return renderResource(subject.id, subject.document, {
    resourceType: 'User',
    created: subject.createdAt,
    lastModified: subject.updatedAt,
    location: `${baseUrl}/Users/${subject.id}`,
    version: subject.version,
  });
}
