import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminAccess, TenantId } from '../auth/admin-access.decorator';
import { AdminPermission } from '../auth/admin-principal';
import { ApiPageResponse, Page, pageOf, PageQueryDto } from '../page.dto';
import { GroupResponseDto, SearchQueryDto, SubjectResponseDto } from './subjects.dto';
import { SubjectsService } from './subjects.service';

/** The groups provisioning built and their members, for operators (read-only: Entra owns them). */
@ApiTags('groups')
@AdminAccess({ permission: AdminPermission.IamAdmin, tenantScoped: true })
@Controller('v1/groups')
export class GroupsController {
  constructor(private readonly subjects: SubjectsService) {}

  @Get()
  @ApiOperation({ summary: 'Groups by name; ?filter= searches them with a SCIM filter' })
  @ApiPageResponse(GroupResponseDto)
  @ApiBadRequestResponse({
    description: 'filter is not a valid SCIM filter for Groups (the message names filter)',
  })
  list(@TenantId() tenantId: string, @Query() query: SearchQueryDto): Promise<Page<GroupResponseDto>> {
    return this.subjects.groupsPage(tenantId, pageOf(query), query.filter);
  }

  @Get(':id')
  @ApiOkResponse({ type: GroupResponseDto })
  get(@TenantId() tenantId: string, @Param('id') id: string): Promise<GroupResponseDto> {
    return this.subjects.group(tenantId, id);
  }

  @Get(':id/members')
  @ApiPageResponse(SubjectResponseDto)
  members(
    @TenantId() tenantId: string,
    @Param('id') id: string,
    @Query() page: PageQueryDto,
  ): Promise<Page<SubjectResponseDto>> {
    return this.subjects.membersOfGroup(tenantId, id, pageOf(page));
  }
}
