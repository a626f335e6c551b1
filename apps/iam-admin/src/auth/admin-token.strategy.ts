import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { InjectRepository } from '@nestjs/typeorm';
import { Strategy } from 'passport-http-bearer';
import { Repository } from 'typeorm';
import { AdminTokenEntity } from '@app/database';
import { digestBearerSecret, SECRET_PREFIX } from '@app/platform';
import { AdminPrincipal } from './admin-principal';

/** Opaque admin tokens (the bootstrap token): looked up by digest, never compared in clear. */
@Injectable()
export class AdminTokenStrategy extends PassportStrategy(Strategy, 'admin-token') {
  constructor(@InjectRepository(AdminTokenEntity) private readonly tokens: Repository<AdminTokenEntity>) {
    super();
  }

  async validate(token: string): Promise<AdminPrincipal | false> {
    if (!token.startsWith(SECRET_PREFIX.adminToken)) return false;
    const found = await this.tokens.findOneBy({ tokenHash: digestBearerSecret(token) });
    if (!found) return false;
    return {
      kind: found.tenantId ? 'tenant' : 'platform',
      tenantId: found.tenantId,
      permissions: found.permissions,
      subject: `admin-token:${found.id}`,
      via: 'admin-token',
    };
  }
}
