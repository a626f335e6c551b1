import { Controller, Get, Param, Post, UseInterceptors } from '@nestjs/common';
import {
  discoveryList,
  notFound,
  ScimError,
  resourceTypeResource,
  schemaResource,
  schemasOf,
  serviceProviderConfig,
} from '@app/scim';
import { ScimGatewayConfig } from '../config/scim-gateway.config';
import { SCIM_GROUPS } from '../groups/scim-groups.resource-type';
import { BaseUrl } from '../scim-http/scim-request';
import { ScimResponseInterceptor } from '../scim-http/scim-response.interceptor';
import { SCIM_USERS } from '../users/scim-users.resource-type';

/** The resource types this gateway serves (each has its module in ScimGatewayModule). */
const RESOURCE_TYPES = [SCIM_USERS, SCIM_GROUPS].map((type) => type.schema);

/** RFC 7644 §4 discovery. Public metadata: no tenant data, so no token is needed. */
@Controller(['api/scim/v2', ':tenantId/api/scim/v2'])
@UseInterceptors(ScimResponseInterceptor)
export class ScimDiscoveryController {
  constructor(private readonly config: ScimGatewayConfig) {}

  /**
   * Queries at the service root span every resource type (RFC 7644 §3.4.2.1, §3.4.3); this server
   * answers 501 as §3.12 allows: Entra never sends them, and /Users and /Groups each take both.
   */
  @Get()
  rootQuery(): never {
    throw rootQueriesNotImplemented();
  }

  @Post('.search')
  rootSearch(): never {
    throw rootQueriesNotImplemented();
  }

  @Get('ServiceProviderConfig')
  serviceProviderConfig(@BaseUrl() baseUrl: string): Record<string, unknown> {
    return serviceProviderConfig({ maxResults: this.config.SCIM_MAX_RESULTS }, baseUrl);
  }

  @Get('ResourceTypes')
  resourceTypes(@BaseUrl() baseUrl: string): Record<string, unknown> {
    return discoveryList(RESOURCE_TYPES.map((t) => resourceTypeResource(t, baseUrl)));
  }

  @Get('ResourceTypes/:name')
  resourceType(@BaseUrl() baseUrl: string, @Param('name') name: string): Record<string, unknown> {
    const type = RESOURCE_TYPES.find((t) => t.name.toLowerCase() === name.toLowerCase());
    if (!type) throw notFound(`no resource type ${name}`);
    return resourceTypeResource(type, baseUrl);
  }

  @Get('Schemas')
  schemas(@BaseUrl() baseUrl: string): Record<string, unknown> {
    return discoveryList(schemasOf(RESOURCE_TYPES).map((s) => schemaResource(s, baseUrl)));
  }

  @Get('Schemas/:id')
  schema(@BaseUrl() baseUrl: string, @Param('id') id: string): Record<string, unknown> {
    const schema = schemasOf(RESOURCE_TYPES).find((s) => s.id.toLowerCase() === id.toLowerCase());
    if (!schema) throw notFound(`no schema ${id}`);
    return schemaResource(schema, baseUrl);
  }
}

const rootQueriesNotImplemented = () =>
  new ScimError(501, 'queries at the service root are not implemented: query /Users or /Groups');
