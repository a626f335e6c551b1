import { Provider, Type } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { ResourceSnapshot } from '@app/contracts';
import {
  listResponse,
  normalizePatchRequest,
  notFound,
  project,
  Projection,
  projectionExcludes,
  renderResource,
} from '@app/scim';
import { ScimGatewayConfig } from '../config/scim-gateway.config';
import { ProvisioningClient } from '../provisioning/provisioning-client';
import { ScimPrincipal } from '../scim-auth/scim-principal';
import { parseListQuery, searchRequestQuery } from './list-query';
import { ResourceRow, ScimResourceRepository } from './scim-resource.repository';
import { ScimResourceType } from './scim-resource-type';
import { markRelatedTruncated } from './truncated-related';

/** A resource or a ListResponse as SCIM JSON. */
export type ScimResource = Record<string, unknown>;

/**
 * RFC 7644 §3 for one resource type: reads straight from the database (the type's repository),
 * writes as provisioning commands that IAM applies (the type's `commands`). One instance per type,
 * made by scimResourceProviders in the type's module.
 */
export class ScimResourceService {
  constructor(
    private readonly type: ScimResourceType,
    private readonly repository: ScimResourceRepository,
    private readonly provisioning: ProvisioningClient,
    private readonly maxResults: number,
  ) {}

  async create(principal: ScimPrincipal, body: unknown, baseUrl: string): Promise<ScimResource> {
    const created = (await this.provisioning.send(principal, this.type.commands.create(body)))!;
    return this.type.related.setOnCreate
      ? this.readBack(principal, created.id, baseUrl)
      : this.render(created, baseUrl);
  }

  async get(
    principal: ScimPrincipal,
    id: string,
    baseUrl: string,
    projection: Projection,
  ): Promise<ScimResource> {
    const row = await this.repository.findById(principal.tenantId, id, this.wantsRelated(projection));
    if (!row) throw notFound(`${this.type.schema.name} ${id} not found`);
    return this.render(row, baseUrl, projection);
  }

  /** GET on the endpoint; `query` is scimQuery's (parameter names lower-cased). */
  async list(
    principal: ScimPrincipal,
    query: Record<string, unknown>,
    baseUrl: string,
  ): Promise<ScimResource> {
    const { projection, ...resourceQuery } = parseListQuery(query, this.maxResults);
    const { total, resources } = await this.repository.list(
      principal.tenantId,
      resourceQuery,
      this.wantsRelated(projection),
    );
    return listResponse(
      resources.map((row) => this.render(row, baseUrl, projection)),
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
    this.assertServerId(id);
    const written = await this.provisioning.send(principal, this.type.commands.replace(id, body, ifMatch));
    return this.answer(principal, written!, baseUrl);
  }

  /** Applies a PATCH and returns what it left; the type's controller decides how to answer. */
  async patch(
    principal: ScimPrincipal,
    id: string,
    body: unknown,
    ifMatch?: number,
  ): Promise<ResourceSnapshot> {
    this.assertServerId(id);
    const operations = normalizePatchRequest(body, this.type.schema);
    return (await this.provisioning.send(principal, this.type.commands.patch(id, operations, ifMatch)))!;
  }

  async delete(principal: ScimPrincipal, id: string, ifMatch?: number): Promise<void> {
    this.assertServerId(id);
    await this.provisioning.send(principal, this.type.commands.delete(id, ifMatch));
  }

  /**
   * The whole resource after a write, its related attribute included, as RFC 7644 §3.5 asks of a
   * 200 answer: from the command's result when it carries the related values (a User's groups, read
   * in the write's transaction), else read back.
   */
  async answer(principal: ScimPrincipal, written: ResourceSnapshot, baseUrl: string): Promise<ScimResource> {
    return written.related !== undefined
      ? this.render(written, baseUrl)
      : this.readBack(principal, written.id, baseUrl);
  }

  private readBack(principal: ScimPrincipal, id: string, baseUrl: string): Promise<ScimResource> {
    return this.get(principal, id, baseUrl, {});
  }

  /** Ids are UUIDs this server assigned: anything else names no resource, and is not worth a command. */
  private assertServerId(id: string): void {
    if (!isUUID(id)) throw notFound(`${this.type.schema.name} ${id} not found`);
  }

  private wantsRelated(projection: Projection): boolean {
    return !projectionExcludes(projection, this.type.schema, this.type.related.attribute);
  }

  private render(row: ResourceRow, baseUrl: string, projection: Projection = {}): ScimResource {
    const { schema, related } = this.type;
    const values = (row.related ?? []).map(({ value, display }) => ({
      value,
      $ref: `${baseUrl}${related.endpoint}/${value}`,
      display,
      type: related.type,
    }));
    // An empty multi-valued attribute is left out (a User in no group, a Group whose members all left).
    const shown = row.related !== undefined && values.length > 0;
    const resource = renderResource(
      row.id,
      row.document,
      {
        resourceType: schema.name,
        created: row.createdAt,
        lastModified: row.updatedAt,
        location: `${baseUrl}${schema.endpoint}/${row.id}`,
        version: row.version,
      },
      shown ? { [related.attribute]: values } : {},
    );
    const projected = project(resource, projection, schema);
    if (row.relatedTruncated) markRelatedTruncated(projected);
    return projected;
  }
}

/** A resource type module's providers: its repository, and the ScimResourceService its controller gets. */
export function scimResourceProviders(
  type: ScimResourceType,
  repository: Type<ScimResourceRepository>,
): Provider[] {
  return [
    repository,
    {
      provide: ScimResourceService,
      inject: [repository, ProvisioningClient, ScimGatewayConfig],
      useFactory: (
        rows: ScimResourceRepository,
        provisioning: ProvisioningClient,
        config: ScimGatewayConfig,
      ) => new ScimResourceService(type, rows, provisioning, config.SCIM_MAX_RESULTS),
    },
  ];
}
