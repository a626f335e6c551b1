import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminAccess, TenantId } from '../auth/admin-access.decorator';
import { AdminPermission } from '../auth/admin-principal';
import { ScimConnectionTestDto, ScimConnectionTestResultDto } from './scim-connection.dto';
import { ScimConnectionService } from './scim-connection.service';

@ApiTags('scim')
@AdminAccess({ permission: AdminPermission.IamAdmin, tenantScoped: true })
@Controller('v1/scim/test-connection')
export class ScimConnectionController {
  constructor(private readonly connection: ScimConnectionService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary:
      'What Entra’s Test Connection does: GET {SCIM_PUBLIC_URL}/{tenantId}/api/scim/v2/Users?filter=userName eq "<random GUID>" with the token; answers the gateway’s exact status and body',
  })
  @ApiOkResponse({ type: ScimConnectionTestResultDto })
  test(
    @TenantId() tenantId: string,
    @Body() dto: ScimConnectionTestDto,
  ): Promise<ScimConnectionTestResultDto> {
    return this.connection.test(tenantId, dto.token);
  }
}
