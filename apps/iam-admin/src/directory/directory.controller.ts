import { Controller, Get, NotFoundException, Param, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { AdminAccess, TenantId } from '../auth/admin-access.decorator';
import { AdminPermission } from '../auth/admin-principal';
import { GroupResponseDto, Page, PageQueryDto, SubjectResponseDto } from './directory.dto';
import { DirectoryRepository } from './directory.repository';

/** What provisioning built, for operators: subjects, groups and memberships (read-only; Entra owns them). */
@ApiTags('directory')
@AdminAccess({ permission: AdminPermission.IamAdmin, tenantScoped: true })
@Controller('v1')
export class DirectoryController {
  constructor(private readonly directory: DirectoryRepository) {}

  @Get('subjects')
  subjects(@TenantId() tenantId: string, @Query() page: PageQueryDto): Promise<Page<SubjectResponseDto>> {
    return this.directory.subjects(tenantId, page.limit ?? 100, page.offset ?? 0);
  }

  @Get('subjects/:id')
  async subject(@TenantId() tenantId: string, @Param('id') id: string): Promise<SubjectResponseDto> {
    return (await this.directory.subject(tenantId, id)) ?? notFound('subject', id);
  }

  @Get('subjects/:id/groups')
  async groupsOfSubject(
    @TenantId() tenantId: string,
    @Param('id') id: string,
    @Query() page: PageQueryDto,
  ): Promise<Page<GroupResponseDto>> {
    if (!(await this.directory.subject(tenantId, id))) notFound('subject', id);
    return this.directory.groupsOfSubject(tenantId, id, page.limit ?? 100, page.offset ?? 0);
  }

  @Get('groups')
  groups(@TenantId() tenantId: string, @Query() page: PageQueryDto): Promise<Page<GroupResponseDto>> {
    return this.directory.groups(tenantId, page.limit ?? 100, page.offset ?? 0);
  }

  @Get('groups/:id')
  async group(@TenantId() tenantId: string, @Param('id') id: string): Promise<GroupResponseDto> {
    return (await this.directory.group(tenantId, id)) ?? notFound('group', id);
  }

  @Get('groups/:id/members')
  async members(
    @TenantId() tenantId: string,
    @Param('id') id: string,
    @Query() page: PageQueryDto,
  ): Promise<Page<SubjectResponseDto>> {
    if (!(await this.directory.group(tenantId, id))) notFound('group', id);
    return this.directory.members(tenantId, id, page.limit ?? 100, page.offset ?? 0);
  }
}

function notFound(what: string, id: string): never {
  throw new NotFoundException(`${what} ${id} does not exist`);
}
