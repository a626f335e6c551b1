import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { InjectDataSource } from '@nestjs/typeorm';
import { Strategy } from 'passport-http-bearer';
import { DataSource } from 'typeorm';
import { digestBearerSecret, SECRET_PREFIX } from '@app/platform';
import { AdminTokensRepository } from '../admin-tokens/admin-tokens.repository';
import { adminPrincipal, AdminPrincipal } from './admin-principal';

/**
 * Opaque admin tokens: looked up by digest, never compared in clear; an expired or revoked
 * (deleted) one is simply not found.
 */
@Injectable()
export class AdminTokenStrategy extends PassportStrategy(Strategy, 'admin-token') {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tokens: AdminTokensRepository,
  ) {
    super();
  }

  async validate(token: string): Promise<AdminPrincipal | false> {
    if (!token.startsWith(SECRET_PREFIX.adminToken)) return false;
    const found = await this.tokens.authenticate(this.dataSource, digestBearerSecret(token));
    if (!found) return false;
    return adminPrincipal({
      tenantId: found.tenantId,
      permissions: found.permissions,
      subject: `admin-token:${found.id}`,
      via: 'admin-token',
      expiresAt: found.expiresAt && new Date(found.expiresAt),
    });
  }
}
