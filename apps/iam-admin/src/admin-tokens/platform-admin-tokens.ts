import { Db } from '@app/database';
import { digestBearerSecret, generateBearerSecret, SECRET_PREFIX } from '@app/platform';
import { AdminPermission } from '../auth/admin-principal';
import { AdminTokensRepository } from './admin-tokens.repository';

/**
 * What a token needs to run the installation: tenants (iam:platform-admin) and admin tokens
 * themselves (/v1/admin-tokens wants iam:admin). One working token with both must always remain.
 */
export const PLATFORM_ADMIN_PERMISSIONS = [AdminPermission.PlatformAdmin, AdminPermission.IamAdmin];

/** Ids of the working platform admin tokens (`lock`: row-locked, see workingPlatformTokenIds). */
export function workingPlatformAdminTokenIds(
  tokens: AdminTokensRepository,
  db: Db,
  lock = false,
): Promise<string[]> {
  return tokens.workingPlatformTokenIds(db, PLATFORM_ADMIN_PERMISSIONS, lock);
}

/**
 * Stores a new platform admin token (no expiry) and returns it with its row id; the value exists
 * only in the caller's hands, the row keeps its digest. For the first start and for recovery.
 */
export async function insertPlatformAdminToken(
  tokens: AdminTokensRepository,
  db: Db,
  origin: { description: string; createdBy: string; token?: string },
): Promise<{ id: string; token: string }> {
  const token = origin.token ?? generateBearerSecret(SECRET_PREFIX.adminToken);
  const saved = await tokens.insert(db, {
    tokenHash: digestBearerSecret(token),
    description: origin.description,
    tenantId: null,
    permissions: PLATFORM_ADMIN_PERMISSIONS,
    tokenHint: token.slice(-4),
    expiresAt: null,
    createdBy: origin.createdBy,
  });
  return { id: saved.id, token };
}
