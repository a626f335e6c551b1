import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { RowPage } from '@app/database';
import { Filter, parseFilter, ScimError } from '@app/scim';
import { FieldValidationException } from '../errors/validation';
import { SubjectEventsRepository } from '../events/subject-events.repository';
import { FolderResponseDto } from '../folders/folders.dto';
import { FoldersRepository } from '../folders/folders.repository';
import { Page } from '../page.dto';
import { LoginMethodsService } from '../password-login/login-methods.service';
import { GroupsRepository } from './groups.repository';
import { MembershipsRepository } from './memberships.repository';
import {
  GroupResponseDto,
  SUBJECT_EVENTS_PAGE_DEFAULT,
  SubjectEventDto,
  SubjectEventsPageDto,
  SubjectEventsQueryDto,
  SubjectResponseDto,
} from './subjects.dto';
import { SubjectRow, SubjectsRepository } from './subjects.repository';

type PageRequest = { limit: number; offset: number };

/** What provisioning built, for operators: subjects, groups and memberships of one tenant (read-only). */
@Injectable()
export class SubjectsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly subjects: SubjectsRepository,
    private readonly groups: GroupsRepository,
    private readonly memberships: MembershipsRepository,
    private readonly folders: FoldersRepository,
    private readonly loginMethods: LoginMethodsService,
    private readonly events: SubjectEventsRepository,
  ) {}

  /** Live subjects; `filter` is a SCIM filter over the gateway's User attributes (400 naming `filter`). */
  async subjectsPage(
    tenantId: string,
    page: PageRequest,
    filter?: string,
  ): Promise<Page<SubjectResponseDto>> {
    const found = await searched(filter, (parsed) =>
      this.subjects.livePage(this.dataSource, tenantId, page, parsed),
    );
    return this.subjectPageDto(tenantId, found, page);
  }

  async subject(tenantId: string, id: string): Promise<SubjectResponseDto> {
    const subject = (await this.subjects.findLive(this.dataSource, tenantId, id)) ?? notFound('subject', id);
    return SubjectResponseDto.map(subject, await this.loginMethods.loginMethod(this.dataSource, subject));
  }

  async groupsOfSubject(tenantId: string, id: string, page: PageRequest): Promise<Page<GroupResponseDto>> {
    await this.live(tenantId, id);
    const found = await this.memberships.groupsOf(this.dataSource, tenantId, id, page);
    return pageDto(found, page, GroupResponseDto.map);
  }

  /** The folders the subject has access to: the resolved set of its SCIM folder values. */
  async foldersOfSubject(tenantId: string, id: string, page: PageRequest): Promise<Page<FolderResponseDto>> {
    const subject = await this.live(tenantId, id);
    const found = await this.folders.byIds(this.dataSource, tenantId, subject.folders, page);
    return pageDto(found, page, FolderResponseDto.map);
  }

  /**
   * The subject's recent events from the outbox, as consumers receive them, newest first. A
   * deprovisioned subject's too (its last one is subject.deleted); published events go after
   * RETENTION_EVENTS_DAYS.
   */
  async eventsOfSubject(
    tenantId: string,
    id: string,
    query: SubjectEventsQueryDto,
  ): Promise<SubjectEventsPageDto> {
    if (!(await this.subjects.find(this.dataSource, tenantId, id))) notFound('subject', id);
    const limit = query.limit ?? SUBJECT_EVENTS_PAGE_DEFAULT;
    // One more than asked: whether there are older ones.
    const rows = await this.events.history(this.dataSource, tenantId, id, query.before ?? null, limit + 1);
    const items = rows.slice(0, limit).map((row): SubjectEventDto => ({
      ...(row.event as Omit<SubjectEventDto, 'id' | 'sequence' | 'occurredAt' | 'publishedAt'>),
      id: row.id,
      sequence: Number(row.sequence),
      occurredAt: new Date(row.occurredAt).toISOString(),
      publishedAt: row.publishedAt,
    }));
    const last = items[items.length - 1];
    return { items, limit, nextBefore: rows.length > limit && last ? last.sequence : null };
  }

  /** Groups by name; `filter` is a SCIM filter over the gateway's Group attributes (400 naming `filter`). */
  async groupsPage(tenantId: string, page: PageRequest, filter?: string): Promise<Page<GroupResponseDto>> {
    const found = await searched(filter, (parsed) =>
      this.groups.page(this.dataSource, tenantId, page, parsed),
    );
    return pageDto(found, page, GroupResponseDto.map);
  }

  async group(tenantId: string, id: string): Promise<GroupResponseDto> {
    const group = await this.groups.find(this.dataSource, tenantId, id);
    return GroupResponseDto.map(group ?? notFound('group', id));
  }

  async membersOfGroup(tenantId: string, id: string, page: PageRequest): Promise<Page<SubjectResponseDto>> {
    await this.group(tenantId, id);
    const found = await this.memberships.membersOf(this.dataSource, tenantId, id, page);
    return this.subjectPageDto(tenantId, found, page);
  }

  private async live(tenantId: string, id: string): Promise<SubjectRow> {
    return (await this.subjects.findLive(this.dataSource, tenantId, id)) ?? notFound('subject', id);
  }

  /** A page of subjects with their login methods (read for the whole page at once). */
  private async subjectPageDto(
    tenantId: string,
    rows: RowPage<SubjectRow>,
    page: PageRequest,
  ): Promise<Page<SubjectResponseDto>> {
    const methods = await this.loginMethods.loginMethods(this.dataSource, tenantId, rows.items);
    return pageDto(rows, page, (s) => SubjectResponseDto.map(s, methods.get(s.id)!));
  }
}

/**
 * Runs a read with the parsed SCIM filter (none when absent or blank). The parser's and the SQL
 * translation's refusals (syntax, an attribute the resource type does not have, an operator that
 * does not apply) are 400s naming `filter`.
 */
async function searched<T>(text: string | undefined, read: (filter?: Filter) => Promise<T>): Promise<T> {
  try {
    return await read(text === undefined || text.trim() === '' ? undefined : parseFilter(text));
  } catch (error) {
    if (error instanceof ScimError)
      throw new FieldValidationException([{ field: 'filter', message: error.detail }]);
    throw error;
  }
}

function pageDto<R, T>(rows: RowPage<R>, page: PageRequest, map: (row: R) => T): Page<T> {
  return { total: rows.total, limit: page.limit, offset: page.offset, items: rows.items.map(map) };
}

function notFound(what: string, id: string): never {
  throw new NotFoundException(`${what} ${id} does not exist`);
}
