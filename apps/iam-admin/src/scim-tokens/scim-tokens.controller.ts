import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { AdminAccess, TenantId } from '../auth/admin-access.decorator';
import { AdminPermission } from '../auth/admin-principal';
import { ScimTokenCreateDto, ScimTokenCreateResponseDto, ScimTokenResponseDto } from './scim-token.dto';
import { ScimTokensService } from './scim-tokens.service';

@ApiTags('scim')
@AdminAccess({ permission: AdminPermission.IamAdmin, tenantScoped: true })
@Controller('v1/scim')
export class ScimTokensController {
  constructor(private readonly tokens: ScimTokensService) {}

  @Post()
  create(@TenantId() tenantId: string, @Body() dto: ScimTokenCreateDto): Promise<ScimTokenCreateResponseDto> {
    return this.tokens.create(tenantId, dto);
  }

  @Get()
  list(@TenantId() tenantId: string): Promise<ScimTokenResponseDto[]> {
    return this.tokens.list(tenantId);
  }

  @Delete(':id')
  @HttpCode(204)
  delete(@TenantId() tenantId: string, @Param('id', ParseUUIDPipe) id: string): Promise<void> {
    return this.tokens.delete(tenantId, id);
  }
}
