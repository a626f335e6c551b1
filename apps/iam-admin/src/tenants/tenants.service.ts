import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ScimAccessAnnouncer } from '../scim-tokens/scim-access-announcer';
import { TenantCreateDto, TenantResponseDto, TenantUpdateDto } from './tenant.dto';
import { TenantRow, TenantsRepository } from './tenants.repository';

@Injectable()
export class TenantsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tenants: TenantsRepository,
    private readonly announcer: ScimAccessAnnouncer,
  ) {}

  async create(dto: TenantCreateDto): Promise<TenantResponseDto> {
    return TenantResponseDto.map(
      await this.tenants.insert(this.dataSource, { displayName: dto.displayName }),
    );
  }

  async list(): Promise<TenantResponseDto[]> {
    return (await this.tenants.list(this.dataSource)).map(TenantResponseDto.map);
  }

  async get(id: string): Promise<TenantResponseDto> {
    return TenantResponseDto.map(found(id, await this.tenants.find(this.dataSource, id)));
  }

  /** Rename and/or enable or disable; disabling ends the tenant's SCIM access at once. */
  async update(id: string, dto: TenantUpdateDto): Promise<TenantResponseDto> {
    const { before, after } = await this.dataSource.transaction(async (em) => {
      const before = found(id, await this.tenants.findForUpdate(em, id));
      return { before, after: found(id, await this.tenants.update(em, id, dto)) };
    });
    if (before.enabled && !after.enabled) await this.announcer.tenantDisabled(id);
    return TenantResponseDto.map(after);
  }
}

function found(id: string, tenant: TenantRow | undefined): TenantRow {
  if (!tenant) throw new NotFoundException(`tenant ${id} does not exist`);
  return tenant;
}
