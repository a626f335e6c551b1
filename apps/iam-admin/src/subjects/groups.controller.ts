import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { AdminAccess, TenantId } from '../auth/admin-access.decorator';
import { AdminPermission } from '../auth/admin-principal';
import { Page, pageOf, PageQueryDto } from '../page.dto';
import { GroupResponseDto, SubjectResponseDto } from './subjects.dto';
import { SubjectsService } from './subjects.service';

/** The groups provisioning built and their members, for operators (read-only: Entra owns them). */
@ApiTags('groups')
@AdminAccess({ permission: AdminPermission.IamAdmin, tenantScoped: true })
@Controller('v1/groups')
export class GroupsController {
  constructor(private readonly subjects: SubjectsService) {}

  @Get()
  list(@TenantId() tenantId: string, @Query() page: PageQueryDto): Promise<Page<GroupResponseDto>> {
    return this.subjects.groupsPage(tenantId, pageOf(page));
  }

  @Get(':id')
  get(@TenantId() tenantId: string, @Param('id') id: string): Promise<GroupResponseDto> {
    return this.subjects.group(tenantId, id);
  }

  @Get(':id/members')
  members(
    @TenantId() tenantId: string,
    @Param('id') id: string,
    @Query() page: PageQueryDto,
  ): Promise<Page<SubjectResponseDto>> {
    return this.subjects.membersOfGroup(tenantId, id, pageOf(page));
  }
}
