import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { TenantEntity } from '@app/database';
import { ScimAccessAnnouncer } from '../scim-tokens/scim-access-announcer';
import { TenantCreateDto, TenantResponseDto, TenantUpdateDto } from './tenant.dto';

@Injectable()
export class TenantsService {
  constructor(
    @InjectRepository(TenantEntity) private readonly tenants: Repository<TenantEntity>,
    private readonly announcer: ScimAccessAnnouncer,
  ) {}

  async create(dto: TenantCreateDto): Promise<TenantResponseDto> {
    const tenant = await this.tenants.save(this.tenants.create({ displayName: dto.displayName }));
    return TenantResponseDto.map(tenant);
  }

  async list(): Promise<TenantResponseDto[]> {
    const tenants = await this.tenants.find({ order: { createdAt: 'ASC' } });
    return tenants.map(TenantResponseDto.map);
  }

  async get(id: string): Promise<TenantResponseDto> {
    return TenantResponseDto.map(await this.find(id));
  }

  async update(id: string, dto: TenantUpdateDto): Promise<TenantResponseDto> {
    const tenant = await this.find(id);
    if (dto.displayName !== undefined) tenant.displayName = dto.displayName;
    const disabling = tenant.enabled && dto.enabled === false;
    if (dto.enabled !== undefined) tenant.enabled = dto.enabled;
    const saved = await this.tenants.save(tenant);
    if (disabling) await this.announcer.tenantDisabled(id);
    return TenantResponseDto.map(saved);
  }

  private async find(id: string): Promise<TenantEntity> {
    const tenant = await this.tenants.findOneBy({ id });
    if (!tenant) throw new NotFoundException(`tenant ${id} does not exist`);
    return tenant;
  }
}
