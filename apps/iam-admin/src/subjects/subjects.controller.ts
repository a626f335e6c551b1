import { Controller, Get, Param, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { AdminAccess, TenantId } from '../auth/admin-access.decorator';
import { AdminPermission } from '../auth/admin-principal';
import { FolderResponseDto } from '../folders/folders.dto';
import { ApiPageResponse, Page, pageOf, PageQueryDto } from '../page.dto';
import {
  GroupResponseDto,
  SearchQueryDto,
  SubjectEventsPageDto,
  SubjectEventsQueryDto,
  SubjectResponseDto,
} from './subjects.dto';
import { SubjectsService } from './subjects.service';

/** The subjects provisioning built, for operators (read-only: Entra owns them). */
@ApiTags('subjects')
@AdminAccess({ permission: AdminPermission.IamAdmin, tenantScoped: true })
@Controller('v1/subjects')
export class SubjectsController {
  constructor(private readonly subjects: SubjectsService) {}

  @Get()
  @ApiOperation({ summary: 'Live subjects, oldest first; ?filter= searches them with a SCIM filter' })
  @ApiPageResponse(SubjectResponseDto)
  @ApiBadRequestResponse({
    description: 'filter is not a valid SCIM filter for Users (the message names filter)',
  })
  list(@TenantId() tenantId: string, @Query() query: SearchQueryDto): Promise<Page<SubjectResponseDto>> {
    return this.subjects.subjectsPage(tenantId, pageOf(query), query.filter);
  }

  @Get(':id')
  @ApiOkResponse({ type: SubjectResponseDto })
  @ApiNotFoundResponse({ description: 'No such subject in this tenant' })
  get(@TenantId() tenantId: string, @Param('id') id: string): Promise<SubjectResponseDto> {
    return this.subjects.subject(tenantId, id);
  }

  @Get(':id/groups')
  @ApiPageResponse(GroupResponseDto)
  groups(
    @TenantId() tenantId: string,
    @Param('id') id: string,
    @Query() page: PageQueryDto,
  ): Promise<Page<GroupResponseDto>> {
    return this.subjects.groupsOfSubject(tenantId, id, pageOf(page));
  }

  @Get(':id/events')
  @ApiOperation({
    summary: "The subject's recent subject-change events, newest first",
    description:
      'Read from the outbox: every event IAM recorded for the subject (deprovisioned subjects too), exactly as ' +
      'consumers receive them, with publishedAt. Published events are kept RETENTION_EVENTS_DAYS days (default 7), ' +
      'so older history is gone; page with ?before=<nextBefore>.',
  })
  @ApiOkResponse({ type: SubjectEventsPageDto })
  @ApiNotFoundResponse({ description: 'No such subject in this tenant' })
  events(
    @TenantId() tenantId: string,
    @Param('id') id: string,
    @Query() query: SubjectEventsQueryDto,
  ): Promise<SubjectEventsPageDto> {
    return this.subjects.eventsOfSubject(tenantId, id, query);
  }

  @Get(':id/folders')
  @ApiPageResponse(FolderResponseDto)
  folders(
    @TenantId() tenantId: string,
    @Param('id') id: string,
    @Query() page: PageQueryDto,
  ): Promise<Page<FolderResponseDto>> {
    return this.subjects.foldersOfSubject(tenantId, id, pageOf(page));
  }
}
