import { Injectable } from '@nestjs/common';
import { Db, returnedRows } from '@app/database';
import type { RoleValue, UserType } from '@app/scim';

/** What a tenant (or one of its identity providers) decides about the users provisioned into it. */
export interface ProvisioningSettings {
  /** The role a user gets when it has none. */
  defaultRole: RoleValue | null;
  /** The userType a user gets when it has none; with settings saved, a user needs one. */
  defaultUserType: UserType | null;
  /** SCIM may manage only users of the tenant's verified domains. */
  requireVerifiedDomain: boolean;
  /** Folder values that name no folder are skipped (and recorded as a decision) instead of refused. */
  ignoreUnknownFolders: boolean;
  /** The metadata keys a user may carry (compared ignoring case); null: any. */
  allowedMetadataKeys: string[] | null;
}

export interface ProvisioningSettingsRow extends ProvisioningSettings {
  tenantId: string;
  /** Null: the tenant's own settings; a scheme: the override for that identity provider's SCIM commands. */
  provider: string | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  /** Who saved them last (admin token id or JWT subject). */
  updatedBy: string | null;
}

/** The settings that govern a command from this provider: its override, else the tenant's own. */
export function effectiveSettings(
  rows: readonly ProvisioningSettingsRow[],
  provider: string | null,
): ProvisioningSettingsRow | undefined {
  return rows.find((row) => row.provider === provider) ?? rows.find((row) => row.provider === null);
}

const COLUMNS = `tenant_id AS "tenantId", provider, default_role AS "defaultRole",
  default_user_type AS "defaultUserType", require_verified_domain AS "requireVerifiedDomain",
  ignore_unknown_folders AS "ignoreUnknownFolders", allowed_metadata_keys AS "allowedMetadataKeys",
  version, created_at AS "createdAt", updated_at AS "updatedAt", updated_by AS "updatedBy"`;

/** The one owner of provisioning_settings. Every statement is scoped to one tenant. */
@Injectable()
export class ProvisioningSettingsRepository {
  /** The row for exactly this scope (provider null: the tenant's own). */
  async find(
    db: Db,
    tenantId: string,
    provider: string | null,
  ): Promise<ProvisioningSettingsRow | undefined> {
    const rows: ProvisioningSettingsRow[] = await db.query(
      `SELECT ${COLUMNS} FROM provisioning_settings WHERE tenant_id = $1 AND provider IS NOT DISTINCT FROM $2`,
      [tenantId, provider],
    );
    return rows[0];
  }

  /** Every row of the tenant: its own settings and its providers' overrides. */
  forTenant(db: Db, tenantId: string): Promise<ProvisioningSettingsRow[]> {
    return db.query(`SELECT ${COLUMNS} FROM provisioning_settings WHERE tenant_id = $1`, [tenantId]);
  }

  /** Creates or replaces the row of this scope; a replacement bumps its version. */
  async save(
    db: Db,
    tenantId: string,
    provider: string | null,
    settings: ProvisioningSettings,
    updatedBy: string,
  ): Promise<ProvisioningSettingsRow> {
    const rows: ProvisioningSettingsRow[] = await db.query(
      `INSERT INTO provisioning_settings (tenant_id, provider, default_role, default_user_type,
         require_verified_domain, ignore_unknown_folders, allowed_metadata_keys, updated_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (tenant_id, (COALESCE(provider, ''))) DO UPDATE SET
         default_role = EXCLUDED.default_role, default_user_type = EXCLUDED.default_user_type,
         require_verified_domain = EXCLUDED.require_verified_domain,
         ignore_unknown_folders = EXCLUDED.ignore_unknown_folders,
         allowed_metadata_keys = EXCLUDED.allowed_metadata_keys, updated_by = EXCLUDED.updated_by,
         version = provisioning_settings.version + 1, updated_at = now()
       RETURNING ${COLUMNS}`,
      [
        tenantId,
        provider,
        settings.defaultRole,
        settings.defaultUserType,
        settings.requireVerifiedDomain,
        settings.ignoreUnknownFolders,
        settings.allowedMetadataKeys,
        updatedBy,
      ],
    );
    return rows[0]!;
  }

  /** Removes the row of this scope; false when there was none. */
  async delete(db: Db, tenantId: string, provider: string | null): Promise<boolean> {
    const result = await db.query(
      `DELETE FROM provisioning_settings WHERE tenant_id = $1 AND provider IS NOT DISTINCT FROM $2 RETURNING id`,
      [tenantId, provider],
    );
    return returnedRows(result).length > 0;
  }
}
