import {
  Body,
  Controller,
  Headers,
  Param,
  Patch,
  Req,
  Res,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import {
  principal,
  ScimResource,
  ScimResourceController,
  withVersionHeaders,
} from '../resources/scim-resource.controller';
import { ScimAuthGuard } from '../scim-auth/scim-auth.guard';
import { ScimRequest } from '../scim-auth/scim-principal';
import { ifMatchVersion, scimBaseUrl } from '../scim-http/scim-request';
import { ScimResponseInterceptor } from '../scim-http/scim-response.interceptor';
import { UsersService } from './users.service';

/** RFC 7644 /Users, under `/{tenantId}/api/scim/v2` or (tenant from the token) `/api/scim/v2`. */
@Controller(['api/scim/v2/Users', ':tenantId/api/scim/v2/Users'])
@UseGuards(ScimAuthGuard)
@UseInterceptors(ScimResponseInterceptor)
export class UsersController extends ScimResourceController {
  constructor(protected readonly resources: UsersService) {
    super();
  }

  /** 200 with the patched User. */
  @Patch(':id')
  async patch(
    @Req() req: ScimRequest,
    @Param('id') id: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ScimResource> {
    const resource = await this.resources.patch(
      principal(req),
      id,
      body,
      scimBaseUrl(req),
      ifMatchVersion(ifMatch),
    );
    withVersionHeaders(reply, resource);
    return resource;
  }
}
