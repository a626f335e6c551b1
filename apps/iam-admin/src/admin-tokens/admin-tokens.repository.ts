import { Injectable } from '@nestjs/common';
import { Db } from '@app/database';

/**
 * An opaque bearer token of the admin API (the bootstrap token and those made through
 * /v1/admin-tokens). Only a SHA-256 digest of the secret is stored, and never read back.
 */
export interface AdminTokenRow {
  id: string;
  description: string;
  /** Null for a platform-level token, which picks a tenant per request with X-Tenant-Id. */
  tenantId: string | null;
  permissions: string[];
  /** The last four characters, so an operator can tell tokens apart without the secret. */
  tokenHint: string | null;
  /** Null: never expires. */
  expiresAt: Date | null;
  /** Updated at most once a minute. */
  lastUsedAt: Date | null;
  /** Who made it: `bootstrap`, `recovery`, `admin-token:<id>` or `jwt:<sub>`. */
  createdBy: string | null;
  createdAt: Date;
}

export interface NewAdminToken {
  tokenHash: string;
  description: string;
  tenantId: string | null;
  permissions: string[];
  tokenHint: string | null;
  expiresAt: Date | null;
  createdBy: string | null;
}

const COLUMNS = `id, description, tenant_id AS "tenantId", permissions, token_hint AS "tokenHint",
  expires_at AS "expiresAt", last_used_at AS "lastUsedAt", created_by AS "createdBy", created_at AS "createdAt"`;

/** A platform-level token holding all these permissions that has not expired. */
const WORKING_PLATFORM_TOKEN = `tenant_id IS NULL AND permissions @> $1::text[]
  AND (expires_at IS NULL OR expires_at > now())`;

/** The one owner of the admin_tokens table. */
@Injectable()
export class AdminTokensRepository {
  async insert(db: Db, token: NewAdminToken): Promise<AdminTokenRow> {
    const rows: AdminTokenRow[] = await db.query(
      `INSERT INTO admin_tokens (token_hash, description, tenant_id, permissions, token_hint, expires_at, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
      [
        token.tokenHash,
        token.description,
        token.tenantId,
        token.permissions,
        token.tokenHint,
        token.expiresAt,
        token.createdBy,
      ],
    );
    return rows[0]!;
  }

  /**
   * The unexpired token with this digest (an expired or revoked one is simply not found). The same
   * statement records that it was used, at most once a minute, so a busy script does not write on
   * every call.
   */
  async authenticate(db: Db, tokenHash: string): Promise<AdminTokenRow | undefined> {
    const rows: AdminTokenRow[] = await db.query(
      `WITH found AS (
           SELECT * FROM admin_tokens WHERE token_hash = $1 AND (expires_at IS NULL OR expires_at > now())
         ), touched AS (
           UPDATE admin_tokens t SET last_used_at = now() FROM found f
            WHERE t.id = f.id AND (f.last_used_at IS NULL OR f.last_used_at < now() - interval '1 minute')
         )
         SELECT ${COLUMNS} FROM found`,
      [tokenHash],
    );
    return rows[0];
  }

  /** Every token (tenantId undefined) or one tenant's, oldest first. */
  list(db: Db, tenantId?: string): Promise<AdminTokenRow[]> {
    return tenantId === undefined
      ? db.query(`SELECT ${COLUMNS} FROM admin_tokens ORDER BY created_at, id`)
      : db.query(`SELECT ${COLUMNS} FROM admin_tokens WHERE tenant_id = $1 ORDER BY created_at, id`, [
          tenantId,
        ]);
  }

  /** The token, if it is in the scope (tenantId undefined: any tenant or none). */
  async find(db: Db, id: string, tenantId?: string): Promise<AdminTokenRow | undefined> {
    const rows: AdminTokenRow[] = await db.query(
      `SELECT ${COLUMNS} FROM admin_tokens WHERE id = $1 AND ($2::uuid IS NULL OR tenant_id = $2)`,
      [id, tenantId ?? null],
    );
    return rows[0];
  }

  async delete(db: Db, id: string): Promise<void> {
    await db.query(`DELETE FROM admin_tokens WHERE id = $1`, [id]);
  }

  /**
   * Ids of the working platform tokens that hold all these permissions. `lock` takes their row
   * locks, so concurrent revocations of the last two are serialised: the second sees the first
   * one's deletion.
   */
  async workingPlatformTokenIds(db: Db, permissions: string[], lock = false): Promise<string[]> {
    const rows: Array<{ id: string }> = await db.query(
      `SELECT id FROM admin_tokens WHERE ${WORKING_PLATFORM_TOKEN}${lock ? ' FOR UPDATE' : ''}`,
      [permissions],
    );
    return rows.map((r) => r.id);
  }
}
