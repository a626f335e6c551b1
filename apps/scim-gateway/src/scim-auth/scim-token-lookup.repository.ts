import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ScimPrincipal } from './scim-principal';

/**
 * The gateway's SQL on scim_tokens (IAM owns the table and its writes; the gateway only checks a
 * token and records that it was used). Through the DataSource: each statement is its own round trip.
 */
@Injectable()
export class ScimTokenLookupRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The token with this digest, if its tenant and identity provider are enabled (expiry is the caller's check). */
  async findPrincipal(digest: string): Promise<ScimPrincipal | undefined> {
    const rows: Array<{
      id: string;
      tenant_id: string;
      identity_provider_id: string;
      provider: string;
      expires_at: Date;
    }> = await this.dataSource.query(
      `SELECT t.id, t.tenant_id, t.identity_provider_id, t.provider, t.expires_at
         FROM scim_tokens t
         JOIN tenants n ON n.id = t.tenant_id
         JOIN identity_providers p ON p.id = t.identity_provider_id
        WHERE t.token_hash = $1 AND n.enabled AND p.enabled`,
      [digest],
    );
    const row = rows[0];
    return (
      row && {
        tokenId: row.id,
        tenantId: row.tenant_id,
        identityProviderId: row.identity_provider_id,
        provider: row.provider,
        expiresAt: new Date(row.expires_at).getTime(),
      }
    );
  }

  /** One UPDATE for every token used since the last call. */
  async recordUse(tokenIds: string[]): Promise<void> {
    await this.dataSource.query(`UPDATE scim_tokens SET last_used_at = now() WHERE id = ANY($1::uuid[])`, [
      tokenIds,
    ]);
  }
}
