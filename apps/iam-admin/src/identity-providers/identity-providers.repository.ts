import { Injectable } from '@nestjs/common';
import { Db, returnedRows } from '@app/database';

/** An SSO identity provider of a tenant (today: Azure AD / Entra ID over OIDC), addressed by its scheme. */
export interface IdentityProviderRow {
  id: string;
  tenantId: string;
  scheme: string;
  kind: string;
  displayName: string;
  enabled: boolean;
  type: string;
  loginEnabled: boolean;
  visible: boolean;
  delegationEnabled: boolean;
  autoProvisioningEnabled: boolean;
  clientId: string;
  /** Whether a sealed client secret is stored; the ciphertext itself is read only by sealedClientSecret. */
  hasClientSecret: boolean;
  usePkce: boolean;
  authority: string;
  responseType: string;
  scope: string;
  /** Redirect URIs registered for the app in Entra ID (web, mobile and desktop); only these are accepted. */
  redirectUris: string[];
  /** Entra tenant ids (tid, lowercase) sign-ins may come from; empty = any the authority admits. */
  allowedEntraTenantIds: string[];
  createdAt: Date;
  updatedAt: Date;
}

/** A provider as a write leaves it: its settings, and a newly sealed client secret when one was given. */
export type IdentityProviderWrite = Omit<IdentityProviderRow, 'createdAt' | 'updatedAt'> & {
  /** AES-256-GCM ciphertext (see SecretCipher); undefined keeps the stored one. */
  clientSecretCiphertext?: string;
};

const COLUMNS = `id, tenant_id AS "tenantId", scheme, kind, display_name AS "displayName", enabled, type,
  login_enabled AS "loginEnabled", visible, delegation_enabled AS "delegationEnabled",
  auto_provisioning_enabled AS "autoProvisioningEnabled", client_id AS "clientId",
  has_client_secret AS "hasClientSecret", use_pkce AS "usePkce", authority, response_type AS "responseType",
  scope, redirect_uris AS "redirectUris", allowed_entra_tenant_ids AS "allowedEntraTenantIds", created_at AS "createdAt", updated_at AS "updatedAt"`;

/** Settings in column order, for INSERT and UPDATE alike ($1 is the id, $2 the tenant). */
const SETTINGS = [
  'display_name',
  'enabled',
  'type',
  'login_enabled',
  'visible',
  'delegation_enabled',
  'auto_provisioning_enabled',
  'client_id',
  'has_client_secret',
  'use_pkce',
  'authority',
  'response_type',
  'scope',
  'redirect_uris',
  'allowed_entra_tenant_ids',
] as const;

function settingValues(p: IdentityProviderWrite): unknown[] {
  return [
    p.displayName,
    p.enabled,
    p.type,
    p.loginEnabled,
    p.visible,
    p.delegationEnabled,
    p.autoProvisioningEnabled,
    p.clientId,
    p.hasClientSecret,
    p.usePkce,
    p.authority,
    p.responseType,
    p.scope,
    p.redirectUris,
    p.allowedEntraTenantIds,
  ];
}

/** The one owner of the identity_providers table. Every statement is scoped to one tenant. */
@Injectable()
export class IdentityProvidersRepository {
  async insert(db: Db, provider: IdentityProviderWrite): Promise<IdentityProviderRow> {
    const settings = SETTINGS.map((_, i) => `$${i + 5}`).join(', ');
    const secret = `$${SETTINGS.length + 5}`;
    const rows: IdentityProviderRow[] = await db.query(
      `INSERT INTO identity_providers (id, tenant_id, scheme, kind, ${SETTINGS.join(', ')}, client_secret_ciphertext)
       VALUES ($1, $2, $3, $4, ${settings}, ${secret}) RETURNING ${COLUMNS}`,
      [
        provider.id,
        provider.tenantId,
        provider.scheme,
        provider.kind,
        ...settingValues(provider),
        provider.clientSecretCiphertext ?? null,
      ],
    );
    return rows[0]!;
  }

  /** Writes every setting (scheme and kind never change); lastModified moves on. */
  async update(db: Db, provider: IdentityProviderWrite): Promise<IdentityProviderRow> {
    const settings = SETTINGS.map((column, i) => `${column} = $${i + 3}`).join(', ');
    const secret = `$${SETTINGS.length + 3}`;
    const result = await db.query(
      `UPDATE identity_providers
          SET ${settings}, client_secret_ciphertext = COALESCE(${secret}, client_secret_ciphertext), updated_at = now()
        WHERE id = $1 AND tenant_id = $2 RETURNING ${COLUMNS}`,
      [provider.id, provider.tenantId, ...settingValues(provider), provider.clientSecretCiphertext ?? null],
    );
    return returnedRows<IdentityProviderRow>(result)[0]!;
  }

  async findByScheme(db: Db, tenantId: string, scheme: string): Promise<IdentityProviderRow | undefined> {
    const rows: IdentityProviderRow[] = await db.query(
      `SELECT ${COLUMNS} FROM identity_providers WHERE tenant_id = $1 AND scheme = $2`,
      [tenantId, scheme],
    );
    return rows[0];
  }

  list(db: Db, tenantId: string): Promise<IdentityProviderRow[]> {
    return db.query(`SELECT ${COLUMNS} FROM identity_providers WHERE tenant_id = $1 ORDER BY scheme`, [
      tenantId,
    ]);
  }

  /** The login page's list: enabled providers that allow sign-in and are shown, by name. */
  listVisible(db: Db, tenantId: string): Promise<IdentityProviderRow[]> {
    return db.query(
      `SELECT ${COLUMNS} FROM identity_providers
        WHERE tenant_id = $1 AND enabled AND login_enabled AND visible ORDER BY display_name`,
      [tenantId],
    );
  }

  async delete(db: Db, tenantId: string, id: string): Promise<void> {
    await db.query(`DELETE FROM identity_providers WHERE tenant_id = $1 AND id = $2`, [tenantId, id]);
  }

  /** The sealed client secret, for the one place that opens it (the OIDC client). */
  async sealedClientSecret(db: Db, provider: { tenantId: string; id: string }): Promise<string | null> {
    const rows: Array<{ sealed: string | null }> = await db.query(
      `SELECT client_secret_ciphertext AS sealed FROM identity_providers WHERE tenant_id = $1 AND id = $2`,
      [provider.tenantId, provider.id],
    );
    return rows[0]?.sealed ?? null;
  }
}
