import { ExecutionContext, ForbiddenException, NotFoundException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import { EnabledTenants } from '../tenants/enabled-tenants';
import { TenantRow } from '../tenants/tenants.repository';
import { AdminAccessGuard } from './admin-access.guard';
import { adminPrincipal, AdminPermission, AdminRequest } from './admin-principal';

const enabled = randomUUID();
const disabled = randomUUID();

/** Tenants as the database would answer: one enabled, one disabled, nothing else. */
const tenants = {
  require: async (id: string): Promise<TenantRow> => {
    if (id === disabled) throw new ForbiddenException(`tenant ${id} is disabled`);
    if (id !== enabled) throw new NotFoundException(`tenant ${id} does not exist`);
    return { id } as TenantRow;
  },
} as EnabledTenants;

function run(
  token: { tenantId: string | null; permissions: string[] },
  headers: Record<string, string | string[]> = {},
  rule = { permission: AdminPermission.IamAdmin, tenantScoped: true },
): Promise<AdminRequest> {
  const reflector = { getAllAndOverride: () => rule } as unknown as Reflector;
  const request = {
    headers,
    user: adminPrincipal({ ...token, subject: 'test', via: 'admin-token', expiresAt: null }),
  } as unknown as AdminRequest;
  const context = {
    getHandler: () => undefined,
    getClass: () => undefined,
    switchToHttp: () => ({ getRequest: () => request }),
  } as unknown as ExecutionContext;
  return new AdminAccessGuard(reflector, tenants).canActivate(context).then(() => request);
}

const platform = { tenantId: null, permissions: ['iam:platform-admin', 'iam:admin'] };
const tenantAdmin = { tenantId: enabled, permissions: ['iam:admin'] };

describe('AdminAccessGuard settles the tenant a request acts on', () => {
  it('a tenant-bound token acts on its own tenant, with or without X-Tenant-Id naming it', async () => {
    expect((await run(tenantAdmin)).tenantId).toBe(enabled);
    expect((await run(tenantAdmin, { 'x-tenant-id': enabled })).tenantId).toBe(enabled);
  });

  it('a tenant-bound token naming another tenant is refused (403), even when it carries platform-admin', async () => {
    await expect(run(tenantAdmin, { 'x-tenant-id': randomUUID() })).rejects.toThrow(
      'scoped to another tenant',
    );
    const widened = { tenantId: enabled, permissions: ['iam:admin', 'iam:platform-admin'] };
    await expect(run(widened, { 'x-tenant-id': randomUUID() })).rejects.toBeInstanceOf(ForbiddenException);
  });

  it('a platform token must name the tenant: missing is 400, not a UUID is 400, foreign is 404', async () => {
    await expect(run(platform)).rejects.toThrow('X-Tenant-Id header is required');
    await expect(run(platform, { 'x-tenant-id': 'acme' })).rejects.toThrow('must be a tenant id');
    await expect(run(platform, { 'x-tenant-id': randomUUID() })).rejects.toBeInstanceOf(NotFoundException);
    expect((await run(platform, { 'x-tenant-id': [enabled, randomUUID()] })).tenantId).toBe(enabled);
  });

  it('a platform-level token without platform-admin acts on no tenant', async () => {
    const orphan = { tenantId: null, permissions: ['iam:admin'] };
    await expect(run(orphan, { 'x-tenant-id': enabled })).rejects.toThrow('carries no tenant');
  });

  it('a disabled tenant is refused to its own admins and to platform admins alike', async () => {
    await expect(run({ tenantId: disabled, permissions: ['iam:admin'] })).rejects.toThrow('is disabled');
    await expect(run(platform, { 'x-tenant-id': disabled })).rejects.toThrow('is disabled');
  });

  it('a missing permission is 403 before any tenant is looked at', async () => {
    const rule = { permission: AdminPermission.PlatformAdmin, tenantScoped: false };
    await expect(run(tenantAdmin, {}, rule)).rejects.toThrow('lacks the iam:platform-admin permission');
    expect((await run(platform, {}, rule)).tenantId).toBeUndefined();
  });
});
