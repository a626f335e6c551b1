import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AdminAccess, TenantId } from '../auth/admin-access.decorator';
import { AdminPermission } from '../auth/admin-principal';
import {
  AzureAdProviderCreateDto,
  AzureAdProviderPatchDto,
  AzureAdProviderReplaceDto,
  AzureAdProviderResponseDto,
} from './identity-provider.dto';
import { IdentityProvidersService } from './identity-providers.service';

@ApiTags('sso')
@AdminAccess({ permission: AdminPermission.IamAdmin, tenantScoped: true })
@Controller('v1/sso/azuread')
export class IdentityProvidersController {
  constructor(private readonly providers: IdentityProvidersService) {}

  @Post()
  @ApiCreatedResponse({ type: AzureAdProviderResponseDto })
  @ApiConflictResponse({ description: 'The scheme is taken in this tenant' })
  create(
    @TenantId() tenantId: string,
    @Body() dto: AzureAdProviderCreateDto,
  ): Promise<AzureAdProviderResponseDto> {
    return this.providers.create(tenantId, dto);
  }

  @Get()
  @ApiOkResponse({ type: [AzureAdProviderResponseDto] })
  list(@TenantId() tenantId: string): Promise<AzureAdProviderResponseDto[]> {
    return this.providers.list(tenantId);
  }

  @Get(':scheme')
  @ApiOkResponse({
    type: AzureAdProviderResponseDto,
    description: 'With connector: what the customer copies into Entra (SCIM base URL, redirect URIs)',
  })
  get(@TenantId() tenantId: string, @Param('scheme') scheme: string): Promise<AzureAdProviderResponseDto> {
    return this.providers.get(tenantId, scheme);
  }

  @Put(':scheme')
  @ApiOkResponse({ type: AzureAdProviderResponseDto })
  replace(
    @TenantId() tenantId: string,
    @Param('scheme') scheme: string,
    @Body() dto: AzureAdProviderReplaceDto,
  ): Promise<AzureAdProviderResponseDto> {
    return this.providers.replace(tenantId, scheme, dto);
  }

  @Patch(':scheme')
  @ApiOkResponse({ type: AzureAdProviderResponseDto })
  patch(
    @TenantId() tenantId: string,
    @Param('scheme') scheme: string,
    @Body() dto: AzureAdProviderPatchDto,
  ): Promise<AzureAdProviderResponseDto> {
    return this.providers.patch(tenantId, scheme, dto);
  }

  @Delete(':scheme')
  @HttpCode(204)
  @ApiConflictResponse({ description: 'SCIM tokens still use this provider; the message names them' })
  delete(@TenantId() tenantId: string, @Param('scheme') scheme: string): Promise<void> {
    return this.providers.delete(tenantId, scheme);
  }
}
