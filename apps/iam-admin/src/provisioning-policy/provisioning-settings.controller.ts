import { Body, Controller, Delete, Get, HttpCode, Put, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AdminAccess, Principal, TenantId } from '../auth/admin-access.decorator';
import { AdminPermission, AdminPrincipal } from '../auth/admin-principal';
import {
  ProvisioningSettingsQueryDto,
  ProvisioningSettingsResponseDto,
  ProvisioningSettingsUpdateDto,
} from './provisioning-settings.dto';
import { ProvisioningSettingsService } from './provisioning-settings.service';

/** How Entra's users land in the tenant: default role and userType, verified domains, folders, metadata keys. */
@ApiTags('provisioning')
@AdminAccess({ permission: AdminPermission.IamAdmin, tenantScoped: true })
@ApiNotFoundResponse({
  description: 'The provider named in ?provider= is not an identity provider of the tenant',
})
@Controller('v1/provisioning/settings')
export class ProvisioningSettingsController {
  constructor(private readonly settings: ProvisioningSettingsService) {}

  @Get()
  @ApiOkResponse({ type: ProvisioningSettingsResponseDto })
  get(
    @TenantId() tenantId: string,
    @Query() query: ProvisioningSettingsQueryDto,
  ): Promise<ProvisioningSettingsResponseDto> {
    return this.settings.get(tenantId, query.provider ?? null);
  }

  /** Saving settings turns the policy on for the tenant (or, with ?provider=, overrides it for that provider). */
  @Put()
  @ApiOkResponse({
    type: ProvisioningSettingsResponseDto,
    description: 'Saved; audited in /v1/audit/provisioning',
  })
  @ApiBadRequestResponse({ description: 'A field is invalid (the message names it)' })
  put(
    @TenantId() tenantId: string,
    @Query() query: ProvisioningSettingsQueryDto,
    @Body() dto: ProvisioningSettingsUpdateDto,
    @Principal() principal: AdminPrincipal,
  ): Promise<ProvisioningSettingsResponseDto> {
    return this.settings.put(tenantId, query.provider ?? null, dto, principal);
  }

  @Delete()
  @HttpCode(204)
  delete(
    @TenantId() tenantId: string,
    @Query() query: ProvisioningSettingsQueryDto,
    @Principal() principal: AdminPrincipal,
  ): Promise<void> {
    return this.settings.delete(tenantId, query.provider ?? null, principal);
  }
}
