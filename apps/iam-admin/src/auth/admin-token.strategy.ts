import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { InjectDataSource } from '@nestjs/typeorm';
import { Strategy } from 'passport-http-bearer';
import { DataSource } from 'typeorm';
import { digestBearerSecret, SECRET_PREFIX } from '@app/platform';
import { adminPrincipal, AdminPrincipal } from './admin-principal';

/**
 * Opaque admin tokens: looked up by digest, never compared in clear; an expired or revoked
 * (deleted) one is simply not found. The same statement records when the token was last used, at
 * most once a minute per token so a busy script does not write on every call.
 */
@Injectable()
export class AdminTokenStrategy extends PassportStrategy(Strategy, 'admin-token') {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    super();
  }

  async validate(token: string): Promise<AdminPrincipal | false> {
    if (!token.startsWith(SECRET_PREFIX.adminToken)) return false;
    const rows: Array<{
      id: string;
      tenant_id: string | null;
      permissions: string[];
      expires_at: Date | null;
    }> = await this.dataSource.query(
      `WITH found AS (
           SELECT id, tenant_id, permissions, expires_at, last_used_at FROM admin_tokens
            WHERE token_hash = $1 AND (expires_at IS NULL OR expires_at > now())
         ), touched AS (
           UPDATE admin_tokens t SET last_used_at = now() FROM found f
            WHERE t.id = f.id AND (f.last_used_at IS NULL OR f.last_used_at < now() - interval '1 minute')
         )
         SELECT id, tenant_id, permissions, expires_at FROM found`,
      [digestBearerSecret(token)],
    );
    const found = rows[0];
    if (!found) return false;
    return adminPrincipal({
      tenantId: found.tenant_id,
      permissions: found.permissions,
      subject: `admin-token:${found.id}`,
      via: 'admin-token',
      expiresAt: found.expires_at && new Date(found.expires_at),
    });
  }
}
