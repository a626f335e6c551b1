import { ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { TenantRow, TenantsRepository } from './tenants.repository';

/** The one "this tenant exists and is enabled" check of the admin API, sign-in and admin tokens. */
@Injectable()
export class EnabledTenants {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tenants: TenantsRepository,
  ) {}

  /** The tenant a request acts on: 404 when it does not exist, 403 when it is disabled. */
  async require(tenantId: string): Promise<TenantRow> {
    const tenant = await this.tenants.find(this.dataSource, tenantId);
    if (!tenant) throw new NotFoundException(`tenant ${tenantId} does not exist`);
    if (!tenant.enabled) throw new ForbiddenException(`tenant ${tenantId} is disabled`);
    return tenant;
  }
}
