import { Injectable } from '@nestjs/common';
import { Db, returnedRows } from '@app/database';

/** A bearer token an IdP uses on the SCIM gateway. Only a SHA-256 digest of the secret is stored. */
export interface ScimTokenRow {
  id: string;
  tenantId: string;
  identityProviderId: string;
  /** The scheme of the linked identity provider (schemes cannot change, so this never goes stale). */
  provider: string;
  providerDisplayName: string;
  /** The last four characters, so an operator can tell tokens apart without the secret. */
  tokenHint: string;
  createdAt: Date;
  expiresAt: Date;
  lastUsedAt: Date | null;
}

const COLUMNS = `id, tenant_id AS "tenantId", identity_provider_id AS "identityProviderId", provider,
  provider_display_name AS "providerDisplayName", token_hint AS "tokenHint", created_at AS "createdAt",
  expires_at AS "expiresAt", last_used_at AS "lastUsedAt"`;

/**
 * The one owner of the scim_tokens table in IAM (the gateway reads it to authenticate). Every
 * statement is scoped to one tenant.
 */
@Injectable()
export class ScimTokensRepository {
  /**
   * Stores a token linked to the tenant's provider of this scheme, in one statement (a provider
   * deleted meanwhile cannot be linked). Undefined when the tenant has no such provider.
   */
  async insertForProvider(
    db: Db,
    token: {
      tenantId: string;
      providerScheme: string;
      providerDisplayName: string;
      tokenHash: string;
      tokenHint: string;
      expiresAt: Date;
    },
  ): Promise<ScimTokenRow | undefined> {
    const rows: ScimTokenRow[] = await db.query(
      `INSERT INTO scim_tokens (tenant_id, identity_provider_id, provider, provider_display_name, token_hash, token_hint, expires_at)
       SELECT p.tenant_id, p.id, p.scheme, $3, $4, $5, $6 FROM identity_providers p
        WHERE p.tenant_id = $1 AND p.scheme = $2
       RETURNING ${COLUMNS}`,
      [
        token.tenantId,
        token.providerScheme,
        token.providerDisplayName,
        token.tokenHash,
        token.tokenHint,
        token.expiresAt,
      ],
    );
    return rows[0];
  }

  list(db: Db, tenantId: string): Promise<ScimTokenRow[]> {
    return db.query(`SELECT ${COLUMNS} FROM scim_tokens WHERE tenant_id = $1 ORDER BY created_at, id`, [
      tenantId,
    ]);
  }

  /** The tokens linked to one identity provider, oldest first. */
  linkedTo(db: Db, tenantId: string, identityProviderId: string): Promise<ScimTokenRow[]> {
    return db.query(
      `SELECT ${COLUMNS} FROM scim_tokens WHERE tenant_id = $1 AND identity_provider_id = $2
        ORDER BY created_at, id`,
      [tenantId, identityProviderId],
    );
  }

  /** Deletes the token; false when the tenant has none with this id. */
  async delete(db: Db, tenantId: string, id: string): Promise<boolean> {
    const result = await db.query(`DELETE FROM scim_tokens WHERE tenant_id = $1 AND id = $2 RETURNING id`, [
      tenantId,
      id,
    ]);
    return returnedRows(result).length > 0;
  }
}
