import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { AdminAccess } from '../auth/admin-access.decorator';
import { AdminPermission } from '../auth/admin-principal';
import { TenantCreateDto, TenantResponseDto, TenantUpdateDto } from './tenant.dto';
import { TenantsService } from './tenants.service';

@ApiTags('tenants')
@AdminAccess({ permission: AdminPermission.PlatformAdmin, tenantScoped: false })
@Controller('v1/tenants')
export class TenantsController {
  constructor(private readonly tenants: TenantsService) {}

  @Post()
  create(@Body() dto: TenantCreateDto): Promise<TenantResponseDto> {
    return this.tenants.create(dto);
  }

  @Get()
  list(): Promise<TenantResponseDto[]> {
    return this.tenants.list();
  }

  @Get(':id')
  get(@Param('id', ParseUUIDPipe) id: string): Promise<TenantResponseDto> {
    return this.tenants.get(id);
  }

  /** Rename, or disable/enable with `enabled`. Tenants are never deleted: their audit trail stays. */
  @Patch(':id')
  update(@Param('id', ParseUUIDPipe) id: string, @Body() dto: TenantUpdateDto): Promise<TenantResponseDto> {
    return this.tenants.update(id, dto);
  }
}
