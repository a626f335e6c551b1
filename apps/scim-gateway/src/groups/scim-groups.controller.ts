import { Body, HttpCode, Param, Patch, Res, UseInterceptors } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { weakEtag } from '@app/scim';
import { ScimResourceController, ScimResourceEndpoint } from '../resources/scim-resource.controller';
import { ScimResourceService } from '../resources/scim-resource.service';
import { Principal, ScimPrincipal } from '../scim-auth/scim-principal';
import { IfMatch } from '../scim-http/scim-request';
import { SCIM_GROUPS } from './scim-groups.resource-type';
import { ScimMembersTruncatedInterceptor } from './scim-members-truncated.interceptor';

/** RFC 7644 /Groups. */
@ScimResourceEndpoint(SCIM_GROUPS)
@UseInterceptors(ScimMembersTruncatedInterceptor)
export class ScimGroupsController extends ScimResourceController {
  constructor(resources: ScimResourceService) {
    super(resources);
  }

  /**
   * 204 with the new ETag, as Entra expects for membership changes: rendering a group of 100,000
   * members after adding one would undo the point of a delta.
   */
  @Patch(':id')
  @HttpCode(204)
  override async patch(
    @Principal() principal: ScimPrincipal,
    @Param('id') id: string,
    @Body() body: unknown,
    @IfMatch() ifMatch: number | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<undefined> {
    const group = await this.resources.patch(principal, id, body, ifMatch);
    reply.header('ETag', weakEtag(group.version));
    return undefined;
  }
}
