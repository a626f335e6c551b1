import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { RowPage } from '@app/database';
import { FolderResponseDto } from '../folders/folders.dto';
import { FoldersRepository } from '../folders/folders.repository';
import { Page } from '../page.dto';
import { GroupsRepository } from './groups.repository';
import { MembershipsRepository } from './memberships.repository';
import { GroupResponseDto, SubjectResponseDto } from './subjects.dto';
import { SubjectsRepository } from './subjects.repository';

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
  ) {}

  async subjectsPage(tenantId: string, page: PageRequest): Promise<Page<SubjectResponseDto>> {
    return pageDto(
      await this.subjects.livePage(this.dataSource, tenantId, page),
      page,
      SubjectResponseDto.map,
    );
  }

  async subject(tenantId: string, id: string): Promise<SubjectResponseDto> {
    const subject = await this.subjects.findLive(this.dataSource, tenantId, id);
    return SubjectResponseDto.map(subject ?? notFound('subject', id));
  }

  async groupsOfSubject(tenantId: string, id: string, page: PageRequest): Promise<Page<GroupResponseDto>> {
    await this.subject(tenantId, id);
    const found = await this.memberships.groupsOf(this.dataSource, tenantId, id, page);
    return pageDto(found, page, GroupResponseDto.map);
  }

  /** The folders the subject has access to: the resolved set of its SCIM folder values. */
  async foldersOfSubject(tenantId: string, id: string, page: PageRequest): Promise<Page<FolderResponseDto>> {
    const subject = await this.subjects.findLive(this.dataSource, tenantId, id);
    if (!subject) notFound('subject', id);
    const found = await this.folders.byIds(this.dataSource, tenantId, subject.folders, page);
    return pageDto(found, page, FolderResponseDto.map);
  }

  async groupsPage(tenantId: string, page: PageRequest): Promise<Page<GroupResponseDto>> {
    return pageDto(await this.groups.page(this.dataSource, tenantId, page), page, GroupResponseDto.map);
  }

  async group(tenantId: string, id: string): Promise<GroupResponseDto> {
    const group = await this.groups.find(this.dataSource, tenantId, id);
    return GroupResponseDto.map(group ?? notFound('group', id));
  }

  async membersOfGroup(tenantId: string, id: string, page: PageRequest): Promise<Page<SubjectResponseDto>> {
    await this.group(tenantId, id);
    const found = await this.memberships.membersOf(this.dataSource, tenantId, id, page);
    return pageDto(found, page, SubjectResponseDto.map);
  }
}

function pageDto<R, T>(rows: RowPage<R>, page: PageRequest, map: (row: R) => T): Page<T> {
  return { total: rows.total, limit: page.limit, offset: page.offset, items: rows.items.map(map) };
}

function notFound(what: string, id: string): never {
  throw new NotFoundException(`${what} ${id} does not exist`);
}
