import {
  Body,
  Controller,
  Headers,
  HttpCode,
  Param,
  Patch,
  Req,
  Res,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { weakEtag } from '@app/scim';
import { principal, ScimResourceController } from '../resources/scim-resource.controller';
import { ScimAuthGuard } from '../scim-auth/scim-auth.guard';
import { ScimRequest } from '../scim-auth/scim-principal';
import { ifMatchVersion } from '../scim-http/scim-request';
import { ScimResponseInterceptor } from '../scim-http/scim-response.interceptor';
import { GroupsService } from './groups.service';

/** RFC 7644 /Groups, under `/{tenantId}/api/scim/v2` or (tenant from the token) `/api/scim/v2`. */
@Controller(['api/scim/v2/Groups', ':tenantId/api/scim/v2/Groups'])
@UseGuards(ScimAuthGuard)
@UseInterceptors(ScimResponseInterceptor)
export class GroupsController extends ScimResourceController {
  constructor(protected readonly resources: GroupsService) {
    super();
  }

  /** 204 with the new ETag, as Entra expects for membership changes. */
  @Patch(':id')
  @HttpCode(204)
  async patch(
    @Req() req: ScimRequest,
    @Param('id') id: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    const group = await this.resources.patch(principal(req), id, body, ifMatchVersion(ifMatch));
    reply.header('ETag', weakEtag(group.version));
  }
}
