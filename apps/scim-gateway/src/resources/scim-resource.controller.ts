import { Body, Delete, Get, Headers, HttpCode, Param, Post, Put, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { parseProjection, Projection } from '@app/scim';
import { ScimPrincipal, ScimRequest } from '../scim-auth/scim-principal';
import { ifMatchVersion, scimBaseUrl, scimQuery } from '../scim-http/scim-request';

export type ScimResource = Record<string, unknown>;

/** What /Users and /Groups have in common; PATCH differs (a Group PATCH answers 204). */
export interface ScimResourceService {
  create(principal: ScimPrincipal, body: unknown, baseUrl: string): Promise<ScimResource>;
  get(principal: ScimPrincipal, id: string, baseUrl: string, projection: Projection): Promise<ScimResource>;
  list(principal: ScimPrincipal, query: Record<string, unknown>, baseUrl: string): Promise<ScimResource>;
  search(principal: ScimPrincipal, body: unknown, baseUrl: string): Promise<ScimResource>;
  replace(
    principal: ScimPrincipal,
    id: string,
    body: unknown,
    baseUrl: string,
    ifMatch?: number,
  ): Promise<ScimResource>;
  delete(principal: ScimPrincipal, id: string, ifMatch?: number): Promise<void>;
}

/** RFC 7644 §3 resource endpoints; subclasses give the path, the guard and PATCH. */
export abstract class ScimResourceController {
  protected abstract readonly resources: ScimResourceService;

  @Post()
  @HttpCode(201)
  async create(
    @Req() req: ScimRequest,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ScimResource> {
    const resource = await this.resources.create(principal(req), body, scimBaseUrl(req));
    withVersionHeaders(reply, resource).header('Location', (resource.meta as { location: string }).location);
    return resource;
  }

  @Get()
  list(@Req() req: ScimRequest, @Query() query: unknown): Promise<ScimResource> {
    return this.resources.list(principal(req), scimQuery(query), scimBaseUrl(req));
  }

  @Post('.search')
  @HttpCode(200)
  search(@Req() req: ScimRequest, @Body() body: unknown): Promise<ScimResource> {
    return this.resources.search(principal(req), body, scimBaseUrl(req));
  }

  @Get(':id')
  async get(
    @Req() req: ScimRequest,
    @Param('id') id: string,
    @Query() query: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ScimResource> {
    const q = scimQuery(query);
    const projection = parseProjection(q.attributes, q.excludedattributes);
    const resource = await this.resources.get(principal(req), id, scimBaseUrl(req), projection);
    withVersionHeaders(reply, resource);
    return resource;
  }

  @Put(':id')
  async replace(
    @Req() req: ScimRequest,
    @Param('id') id: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ScimResource> {
    const resource = await this.resources.replace(
      principal(req),
      id,
      body,
      scimBaseUrl(req),
      ifMatchVersion(ifMatch),
    );
    withVersionHeaders(reply, resource);
    return resource;
  }

  @Delete(':id')
  @HttpCode(204)
  delete(
    @Req() req: ScimRequest,
    @Param('id') id: string,
    @Headers('if-match') ifMatch: string | undefined,
  ): Promise<void> {
    return this.resources.delete(principal(req), id, ifMatchVersion(ifMatch));
  }
}

export function principal(req: ScimRequest): ScimPrincipal {
  return req.scim!;
}

export function withVersionHeaders(reply: FastifyReply, resource: ScimResource): FastifyReply {
  const version = (resource.meta as { version?: string } | undefined)?.version;
  return version ? reply.header('ETag', version) : reply;
}
