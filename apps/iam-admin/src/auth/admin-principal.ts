import type { FastifyRequest } from 'fastify';

/** Permissions an admin access token can carry. */
export enum AdminPermission {
  /** Manage one tenant's identity providers, SCIM tokens, subjects and groups. */
  IamAdmin = 'iam:admin',
  /** Manage tenants, and act on any tenant by naming it in `X-Tenant-Id`. */
  PlatformAdmin = 'iam:platform-admin',
}

/** Who is calling the admin API, as established by one of the bearer strategies. */
export interface AdminPrincipal {
  /** A platform principal is not bound to a tenant; a tenant principal is bound to `tenantId`. */
  kind: 'platform' | 'tenant';
  tenantId: string | null;
  permissions: string[];
  /** For audit lines: the admin token id or the JWT `sub`. */
  subject: string;
  via: 'admin-token' | 'jwt';
}

export const TENANT_HEADER = 'x-tenant-id';

export const ADMIN_ACCESS = 'iam:admin-access';

export interface AdminAccessRule {
  permission: AdminPermission;
  /** The endpoint acts on one tenant: the token's, or the one a platform admin names. */
  tenantScoped: boolean;
}

export type AdminRequest = FastifyRequest & { user?: AdminPrincipal; tenantId?: string };
