import {
  applyDecorators,
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Put,
  Query,
  Res,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { parseProjection } from '@app/scim';
import { ScimAuthGuard } from '../scim-auth/scim-auth.guard';
import { Principal, ScimPrincipal } from '../scim-auth/scim-principal';
import { BaseUrl, IfMatch, scimQuery } from '../scim-http/scim-request';
import { ScimResponseInterceptor } from '../scim-http/scim-response.interceptor';
import { ScimResource, ScimResourceService } from './scim-resource.service';
import { ScimResourceType } from './scim-resource-type';

/**
 * Marks a resource type's controller: its endpoint under `/{tenantId}/api/scim/v2` and (tenant from
 * the token) `/api/scim/v2`, every route behind the SCIM token guard, answers as SCIM JSON.
 */
export function ScimResourceEndpoint(type: ScimResourceType): ClassDecorator {
  const path = `api/scim/v2${type.schema.endpoint}`;
  return applyDecorators(
    Controller([path, `:tenantId/${path}`]),
    UseGuards(ScimAuthGuard),
    UseInterceptors(ScimResponseInterceptor),
  );
}

/** RFC 7644 §3 resource endpoints; a subclass gives the type (ScimResourceEndpoint) and what differs. */
export abstract class ScimResourceController {
  protected constructor(protected readonly resources: ScimResourceService) {}

  @Post()
  @HttpCode(201)
  async create(
    @Principal() principal: ScimPrincipal,
    @BaseUrl() baseUrl: string,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ScimResource> {
    const resource = await this.resources.create(principal, body, baseUrl);
    reply.header('Location', (resource.meta as { location: string }).location);
    return withEtag(reply, resource);
  }

  @Get()
  list(
    @Principal() principal: ScimPrincipal,
    @BaseUrl() baseUrl: string,
    @Query() query: unknown,
  ): Promise<ScimResource> {
    return this.resources.list(principal, scimQuery(query), baseUrl);
  }

  @Post('.search')
  @HttpCode(200)
  search(
    @Principal() principal: ScimPrincipal,
    @BaseUrl() baseUrl: string,
    @Body() body: unknown,
  ): Promise<ScimResource> {
    return this.resources.search(principal, body, baseUrl);
  }

  @Get(':id')
  async get(
    @Principal() principal: ScimPrincipal,
    @BaseUrl() baseUrl: string,
    @Param('id') id: string,
    @Query() query: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ScimResource> {
    const q = scimQuery(query);
    const projection = parseProjection(q.attributes, q.excludedattributes);
    return withEtag(reply, await this.resources.get(principal, id, baseUrl, projection));
  }

  @Put(':id')
  async replace(
    @Principal() principal: ScimPrincipal,
    @BaseUrl() baseUrl: string,
    @Param('id') id: string,
    @Body() body: unknown,
    @IfMatch() ifMatch: number | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ScimResource> {
    return withEtag(reply, await this.resources.replace(principal, id, body, baseUrl, ifMatch));
  }

  /**
   * 200 with the whole resource, its related attribute included (RFC 7644 §3.5.2). A type may
   * answer 204 instead by overriding this route (Groups).
   */
  @Patch(':id')
  async patch(
    @Principal() principal: ScimPrincipal,
    @Param('id') id: string,
    @Body() body: unknown,
    @IfMatch() ifMatch: number | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
    @BaseUrl() baseUrl: string,
  ): Promise<ScimResource | undefined> {
    const written = await this.resources.patch(principal, id, body, ifMatch);
    return withEtag(reply, await this.resources.answer(principal, written, baseUrl));
  }

  @Delete(':id')
  @HttpCode(204)
  delete(
    @Principal() principal: ScimPrincipal,
    @Param('id') id: string,
    @IfMatch() ifMatch: number | undefined,
  ): Promise<void> {
    return this.resources.delete(principal, id, ifMatch);
  }
}

/** Sets `ETag` to the resource's version and hands the resource on. */
export function withEtag(reply: FastifyReply, resource: ScimResource): ScimResource {
  const version = (resource.meta as { version?: string } | undefined)?.version;
  if (version) reply.header('ETag', version);
  return resource;
}
