import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminAccess, TenantId } from '../auth/admin-access.decorator';
import { AdminPermission } from '../auth/admin-principal';
import { ProvisioningAuditPageDto, ProvisioningAuditQueryDto } from './provisioning-audit.dto';
import { ProvisioningAuditService } from './provisioning-audit.service';

/** The tenant's provisioning audit log, newest first. */
@ApiTags('audit')
@AdminAccess({ permission: AdminPermission.IamAdmin, tenantScoped: true })
@Controller('v1/audit/provisioning')
export class ProvisioningAuditController {
  constructor(private readonly audit: ProvisioningAuditService) {}

  @Get()
  @ApiOperation({
    summary: 'Provisioning actions (SCIM, operator API, sign-in) with their outcome, newest first',
  })
  @ApiOkResponse({ type: ProvisioningAuditPageDto })
  @ApiBadRequestResponse({
    description: 'A filter, the limit or the cursor is malformed (the message names it)',
  })
  list(
    @TenantId() tenantId: string,
    @Query() query: ProvisioningAuditQueryDto,
  ): Promise<ProvisioningAuditPageDto> {
    return this.audit.list(tenantId, query);
  }
}
