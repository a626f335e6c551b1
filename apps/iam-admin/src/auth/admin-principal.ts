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
  /** What the principal may do: for a tenant principal never iam:platform-admin (see adminPrincipal). */
  permissions: string[];
  /** For audit lines: the admin token id, the JWT `sub` or the signed-in subject's id. */
  subject: string;
  /** `iam-token`: IAM's own access token of a tenant's organization owner (IamTokenStrategy). */
  via: 'admin-token' | 'jwt' | 'iam-token';
  /** When an admin token stops working (null: never); tokens it creates may not outlive it. */
  expiresAt: Date | null;
}

/**
 * The one place a principal is made from a token: a token bound to a tenant never acts beyond it,
 * so iam:platform-admin in a tenant-bound token (or JWT with a tenant claim) is dropped.
 */
export function adminPrincipal(token: Omit<AdminPrincipal, 'kind'>): AdminPrincipal {
  if (token.tenantId === null) return { ...token, kind: 'platform' };
  const permissions = token.permissions.filter((p) => p !== (AdminPermission.PlatformAdmin as string));
  return { ...token, kind: 'tenant', permissions };
}

/** A principal that may act on the whole platform: every tenant, platform-level tokens. */
export function isPlatformAdmin(principal: AdminPrincipal): boolean {
  return principal.kind === 'platform' && principal.permissions.includes(AdminPermission.PlatformAdmin);
}

export const TENANT_HEADER = 'x-tenant-id';

export const ADMIN_ACCESS = 'iam:admin-access';

export interface AdminAccessRule {
  permission: AdminPermission;
  /** The endpoint acts on one tenant: the token's, or the one a platform admin names. */
  tenantScoped: boolean;
}

export type AdminRequest = FastifyRequest & { user?: AdminPrincipal; tenantId?: string };
