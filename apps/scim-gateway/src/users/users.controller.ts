import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Patch,
  Post,
  Put,
  Query,
  Req,
  Res,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { parseProjection } from '@app/scim';
import { ScimAuthGuard } from '../scim-auth/scim-auth.guard';
import { ScimPrincipal, ScimRequest } from '../scim-auth/scim-principal';
import { ifMatchVersion, scimBaseUrl, scimQuery } from '../scim-http/scim-request';
import { ScimResponseInterceptor } from '../scim-http/scim-response.interceptor';
import { ScimResource, UsersService } from './users.service';

/** RFC 7644 /Users, under `/{tenantId}/api/scim/v2` or (tenant from the token) `/api/scim/v2`. */
@Controller(['api/scim/v2/Users', ':tenantId/api/scim/v2/Users'])
@UseGuards(ScimAuthGuard)
@UseInterceptors(ScimResponseInterceptor)
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  @HttpCode(201)
  async create(
    @Req() req: ScimRequest,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ScimResource> {
    const resource = await this.users.create(principal(req), body, scimBaseUrl(req));
    withVersionHeaders(reply, resource).header('Location', (resource.meta as { location: string }).location);
    return resource;
  }

  @Get()
  list(@Req() req: ScimRequest, @Query() query: unknown): Promise<ScimResource> {
    return this.users.list(principal(req), scimQuery(query), scimBaseUrl(req));
  }

  @Post('.search')
  @HttpCode(200)
  search(@Req() req: ScimRequest, @Body() body: unknown): Promise<ScimResource> {
    return this.users.search(principal(req), body, scimBaseUrl(req));
  }

  @Get(':id')
  async get(
    @Req() req: ScimRequest,
    @Param('id') id: string,
    @Query() query: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ScimResource> {
    const q = scimQuery(query);
    const resource = await this.users.get(
      principal(req),
      id,
      scimBaseUrl(req),
      parseProjection(q.attributes, q.excludedattributes),
    );
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
    const resource = await this.users.replace(
      principal(req),
      id,
      body,
      scimBaseUrl(req),
      ifMatchVersion(ifMatch),
    );
    withVersionHeaders(reply, resource);
    return resource;
  }

  @Patch(':id')
  async patch(
    @Req() req: ScimRequest,
    @Param('id') id: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ScimResource> {
    const resource = await this.users.patch(
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
    return this.users.delete(principal(req), id, ifMatchVersion(ifMatch));
  }
}

function principal(req: ScimRequest): ScimPrincipal {
  return req.scim!;
}

function withVersionHeaders(reply: FastifyReply, resource: ScimResource): FastifyReply {
  const version = (resource.meta as { version?: string } | undefined)?.version;
  return version ? reply.header('ETag', version) : reply;
}
