import { EntityManager } from 'typeorm';
import { AdminTokenEntity } from '@app/database';
import { digestBearerSecret, generateBearerSecret, SECRET_PREFIX } from '@app/platform';
import { AdminPermission } from '../auth/admin-principal';

/**
 * What a token needs to run the installation: tenants (iam:platform-admin) and admin tokens
 * themselves (/v1/admin-tokens wants iam:admin). One working token with both must always remain.
 */
export const PLATFORM_ADMIN_PERMISSIONS = [AdminPermission.PlatformAdmin, AdminPermission.IamAdmin];

const WORKING_PLATFORM_ADMIN = `tenant_id IS NULL AND permissions @> $1::text[]
  AND (expires_at IS NULL OR expires_at > now())`;

/**
 * Ids of the working platform admin tokens. `lock` takes their row locks, so concurrent revocations
 * of the last two are serialised: the second sees the first one's deletion and stops.
 */
export async function workingPlatformAdminTokenIds(em: EntityManager, lock = false): Promise<string[]> {
  const rows: Array<{ id: string }> = await em.query(
    `SELECT id FROM admin_tokens WHERE ${WORKING_PLATFORM_ADMIN}${lock ? ' FOR UPDATE' : ''}`,
    [PLATFORM_ADMIN_PERMISSIONS],
  );
  return rows.map((r) => r.id);
}

/**
 * Stores a new platform admin token (no expiry) and returns it with its row id; the value exists
 * only in the caller's hands, the row keeps its digest. For the first start and for recovery.
 */
export async function insertPlatformAdminToken(
  em: EntityManager,
  origin: { description: string; createdBy: string; token?: string },
): Promise<{ id: string; token: string }> {
  const token = origin.token ?? generateBearerSecret(SECRET_PREFIX.adminToken);
  const saved = await em.save(
    em.create(AdminTokenEntity, {
      tokenHash: digestBearerSecret(token),
      description: origin.description,
      tenantId: null,
      permissions: PLATFORM_ADMIN_PERMISSIONS,
      tokenHint: token.slice(-4),
      createdBy: origin.createdBy,
    }),
  );
  return { id: saved.id, token };
}
