import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { AdminAccess, TenantId } from '../auth/admin-access.decorator';
import { AdminPermission } from '../auth/admin-principal';
import { FolderResponseDto } from '../folders/folders.dto';
import { Page, pageOf, PageQueryDto } from '../page.dto';
import { GroupResponseDto, SubjectResponseDto } from './subjects.dto';
import { SubjectsService } from './subjects.service';

/** The subjects provisioning built, for operators (read-only: Entra owns them). */
@ApiTags('subjects')
@AdminAccess({ permission: AdminPermission.IamAdmin, tenantScoped: true })
@Controller('v1/subjects')
export class SubjectsController {
  constructor(private readonly subjects: SubjectsService) {}

  @Get()
  list(@TenantId() tenantId: string, @Query() page: PageQueryDto): Promise<Page<SubjectResponseDto>> {
    return this.subjects.subjectsPage(tenantId, pageOf(page));
  }

  @Get(':id')
  get(@TenantId() tenantId: string, @Param('id') id: string): Promise<SubjectResponseDto> {
    return this.subjects.subject(tenantId, id);
  }

  @Get(':id/groups')
  groups(
    @TenantId() tenantId: string,
    @Param('id') id: string,
    @Query() page: PageQueryDto,
  ): Promise<Page<GroupResponseDto>> {
    return this.subjects.groupsOfSubject(tenantId, id, pageOf(page));
  }

  @Get(':id/folders')
  folders(
    @TenantId() tenantId: string,
    @Param('id') id: string,
    @Query() page: PageQueryDto,
  ): Promise<Page<FolderResponseDto>> {
    return this.subjects.foldersOfSubject(tenantId, id, pageOf(page));
  }
}
