import { ConflictException, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { violatedUniqueConstraint } from '@app/database';
import { Page } from '../page.dto';
import { FolderCreateDto, FolderResponseDto, FolderUpdateDto } from './folders.dto';
import { FolderRow, FoldersRepository, FolderWrite } from './folders.repository';

type PageRequest = { limit: number; offset: number };

/** Unique indexes of folders, by the field a duplicate is told about. */
const DUPLICATE: Record<string, string> = {
  uq_folders_tenant_display_name:
    'displayName is already taken by a folder of this tenant (case-insensitive)',
  uq_folders_tenant_external_id: 'externalId is already taken by a folder of this tenant (case-insensitive)',
};

/**
 * Folders of a tenant, managed by operators. SCIM's folders extension names them; a subject's
 * folder access is the resolved set (subject_folders). Deleting a folder removes it from every
 * subject's set and records nothing else: the SCIM documents keep the value Entra sent, which
 * names no folder from then on.
 */
@Injectable()
export class FoldersService {
  private readonly logger = new Logger(FoldersService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly folders: FoldersRepository,
  ) {}

  async create(tenantId: string, dto: FolderCreateDto): Promise<FolderResponseDto> {
    const folder = await this.unique(() =>
      this.folders.insert(this.dataSource, tenantId, {
        displayName: dto.displayName,
        externalId: dto.externalId ?? null,
      }),
    );
    return FolderResponseDto.map(folder);
  }

  async page(tenantId: string, page: PageRequest): Promise<Page<FolderResponseDto>> {
    const found = await this.folders.page(this.dataSource, tenantId, page);
    return { total: found.total, ...page, items: found.items.map(FolderResponseDto.map) };
  }

  async get(tenantId: string, id: string): Promise<FolderResponseDto> {
    return FolderResponseDto.map(await this.find(tenantId, id));
  }

  async update(tenantId: string, id: string, dto: FolderUpdateDto): Promise<FolderResponseDto> {
    const current = await this.find(tenantId, id);
    const write: FolderWrite = {
      displayName: dto.displayName ?? current.displayName,
      externalId: dto.externalId === undefined ? current.externalId : dto.externalId,
    };
    const updated = await this.unique(() => this.folders.update(this.dataSource, tenantId, id, write));
    return FolderResponseDto.map(updated ?? notFound(id));
  }

  async delete(tenantId: string, id: string): Promise<void> {
    if (!(await this.folders.delete(this.dataSource, tenantId, id))) notFound(id);
    this.logger.log({ tenantId, folderId: id }, 'folder deleted; subjects lost access to it');
  }

  private async find(tenantId: string, id: string): Promise<FolderRow> {
    return (await this.folders.find(this.dataSource, tenantId, id)) ?? notFound(id);
  }

  /** A duplicate displayName or externalId is the client's 409, naming the field. */
  private async unique<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      const message = DUPLICATE[violatedUniqueConstraint(error) ?? ''];
      if (message) throw new ConflictException(message);
      throw error;
    }
  }
}

function notFound(id: string): never {
  throw new NotFoundException(`folder ${id} does not exist`);
}
