import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AdminAccess, TenantId } from '../auth/admin-access.decorator';
import { AdminPermission } from '../auth/admin-principal';
import { ApiPageResponse, Page, pageOf, PageQueryDto } from '../page.dto';
import { FolderCreateDto, FolderResponseDto, FolderUpdateDto } from './folders.dto';
import { FoldersService } from './folders.service';

/** Folders of a tenant, which SCIM's folders extension grants subjects access to. */
@ApiTags('folders')
@AdminAccess({ permission: AdminPermission.IamAdmin, tenantScoped: true })
@Controller('v1/folders')
export class FoldersController {
  constructor(private readonly folders: FoldersService) {}

  @Post()
  @ApiCreatedResponse({ type: FolderResponseDto })
  @ApiConflictResponse({
    description: 'displayName or externalId is taken in this tenant; the message names it',
  })
  create(@TenantId() tenantId: string, @Body() dto: FolderCreateDto): Promise<FolderResponseDto> {
    return this.folders.create(tenantId, dto);
  }

  @Get()
  @ApiPageResponse(FolderResponseDto)
  list(@TenantId() tenantId: string, @Query() page: PageQueryDto): Promise<Page<FolderResponseDto>> {
    return this.folders.page(tenantId, pageOf(page));
  }

  @Get(':id')
  @ApiOkResponse({ type: FolderResponseDto })
  get(@TenantId() tenantId: string, @Param('id') id: string): Promise<FolderResponseDto> {
    return this.folders.get(tenantId, id);
  }

  @Patch(':id')
  @ApiOkResponse({ type: FolderResponseDto })
  @ApiConflictResponse({
    description: 'displayName or externalId is taken in this tenant; the message names it',
  })
  update(
    @TenantId() tenantId: string,
    @Param('id') id: string,
    @Body() dto: FolderUpdateDto,
  ): Promise<FolderResponseDto> {
    return this.folders.update(tenantId, id, dto);
  }

  /** Subjects lose access to the folder; their SCIM documents keep the value Entra sent. */
  @Delete(':id')
  @HttpCode(204)
  delete(@TenantId() tenantId: string, @Param('id') id: string): Promise<void> {
    return this.folders.delete(tenantId, id);
  }
}
