import { Controller, Get, Param, Req, UseInterceptors } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import {
  discoveryList,
  notFound,
  resourceTypeResource,
  schemaResource,
  schemasOf,
  serviceProviderConfig,
  GROUP_RESOURCE_TYPE,
  USER_RESOURCE_TYPE,
} from '@app/scim';
import { ScimGatewayConfig } from '../config/scim-gateway.config';
import { scimBaseUrl } from '../scim-http/scim-request';
import { ScimResponseInterceptor } from '../scim-http/scim-response.interceptor';

/** The resource types this gateway serves. */
export const RESOURCE_TYPES = [USER_RESOURCE_TYPE, GROUP_RESOURCE_TYPE];

/** RFC 7644 §4 discovery. Public metadata: no tenant data, so no token is needed. */
@Controller(['api/scim/v2', ':tenantId/api/scim/v2'])
@UseInterceptors(ScimResponseInterceptor)
export class DiscoveryController {
  constructor(private readonly config: ScimGatewayConfig) {}

  @Get('ServiceProviderConfig')
  serviceProviderConfig(@Req() req: FastifyRequest): Record<string, unknown> {
    return serviceProviderConfig({ maxResults: this.config.SCIM_MAX_RESULTS }, scimBaseUrl(req));
  }

  @Get('ResourceTypes')
  resourceTypes(@Req() req: FastifyRequest): Record<string, unknown> {
    return discoveryList(RESOURCE_TYPES.map((t) => resourceTypeResource(t, scimBaseUrl(req))));
  }

  @Get('ResourceTypes/:name')
  resourceType(@Req() req: FastifyRequest, @Param('name') name: string): Record<string, unknown> {
    const type = RESOURCE_TYPES.find((t) => t.name.toLowerCase() === name.toLowerCase());
    if (!type) throw notFound(`no resource type ${name}`);
    return resourceTypeResource(type, scimBaseUrl(req));
  }

  @Get('Schemas')
  schemas(@Req() req: FastifyRequest): Record<string, unknown> {
    return discoveryList(schemasOf(RESOURCE_TYPES).map((s) => schemaResource(s, scimBaseUrl(req))));
  }

  @Get('Schemas/:id')
  schema(@Req() req: FastifyRequest, @Param('id') id: string): Record<string, unknown> {
    const schema = schemasOf(RESOURCE_TYPES).find((s) => s.id.toLowerCase() === id.toLowerCase());
    if (!schema) throw notFound(`no schema ${id}`);
    return schemaResource(schema, scimBaseUrl(req));
  }
}
