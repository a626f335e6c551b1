import { ForbiddenException, NotFoundException } from '@nestjs/common';
import { Repository } from 'typeorm';
import { TenantEntity } from '@app/database';

/** The tenant a request acts on: 404 when it does not exist, 403 when it is disabled. */
export async function requireEnabledTenant(
  tenants: Repository<TenantEntity>,
  tenantId: string,
): Promise<TenantEntity> {
  const tenant = await tenants.findOneBy({ id: tenantId });
  if (!tenant) throw new NotFoundException(`tenant ${tenantId} does not exist`);
  if (!tenant.enabled) throw new ForbiddenException(`tenant ${tenantId} is disabled`);
  return tenant;
}
