import { ConflictException, ForbiddenException, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { digestBearerSecret, generateBearerSecret, SECRET_PREFIX } from '@app/platform';
import { AdminPermission, AdminPrincipal, isPlatformAdmin } from '../auth/admin-principal';
import { DAY_MS } from '../durations';
import { FieldValidationException } from '../errors/validation';
import { EnabledTenants } from '../tenants/enabled-tenants';
import { TenantsRepository } from '../tenants/tenants.repository';
import { AdminTokenCreateDto, AdminTokenCreateResponseDto, AdminTokenResponseDto } from './admin-token.dto';
import { AdminTokensRepository } from './admin-tokens.repository';
import { PLATFORM_ADMIN_PERMISSIONS, workingPlatformAdminTokenIds } from './platform-admin-tokens';

/** Lifetime of a token a JWT caller mints without expiresInDays, and the most it may ask for. */
const JWT_MINTED_DEFAULT_DAYS = 90;
const JWT_MINTED_MAX_DAYS = 365;

/**
 * Admin tokens made, listed and revoked through the API. Nobody gets more than they have: a token
 * is created only with permissions its creator holds, for the creator's own tenant unless the
 * creator is a platform admin, never outliving the admin token that creates it, and never
 * permanent when a JWT session creates it.
 */
@Injectable()
export class AdminTokensService {
  private readonly logger = new Logger(AdminTokensService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tokens: AdminTokensRepository,
    private readonly tenants: TenantsRepository,
    private readonly enabledTenants: EnabledTenants,
  ) {}

  async create(creator: AdminPrincipal, dto: AdminTokenCreateDto): Promise<AdminTokenCreateResponseDto> {
    const tenantId = await this.tenantFor(creator, dto.tenantId);
    const lacking = dto.permissions.filter((p) => !creator.permissions.includes(p));
    if (lacking.length > 0) {
      throw new ForbiddenException(
        `this access token cannot grant permissions it lacks: ${lacking.join(', ')}`,
      );
    }
    const platformAdmin = dto.permissions.includes(AdminPermission.PlatformAdmin);
    if (tenantId !== null && platformAdmin) {
      throw new FieldValidationException([
        { field: 'permissions', message: 'a token bound to a tenant cannot carry iam:platform-admin' },
      ]);
    }
    if (tenantId === null && !platformAdmin) {
      throw new FieldValidationException([
        { field: 'tenantId', message: 'a token without iam:platform-admin must be bound to a tenant' },
      ]);
    }
    const token = generateBearerSecret(SECRET_PREFIX.adminToken);
    const saved = await this.tokens.insert(this.dataSource, {
      tokenHash: digestBearerSecret(token),
      description: dto.description,
      tenantId,
      permissions: dto.permissions,
      tokenHint: token.slice(-4),
      expiresAt: this.expiry(creator, dto.expiresInDays),
      createdBy: creator.subject,
    });
    this.logger.log(
      { adminTokenId: saved.id, tenantId, permissions: saved.permissions, by: creator.subject },
      'admin token created',
    );
    return { ...AdminTokenResponseDto.map(saved), token };
  }

  async list(caller: AdminPrincipal): Promise<AdminTokenResponseDto[]> {
    const tenantId = isPlatformAdmin(caller) ? undefined : await this.ownTenant(caller);
    return (await this.tokens.list(this.dataSource, tenantId)).map(AdminTokenResponseDto.map);
  }

  /**
   * Revokes at once (the row goes; every request looks the digest up). The last working platform
   * admin token (iam:platform-admin and iam:admin) is kept (409): without it nobody could manage
   * tenants or mint the next admin token. Only a platform-level revocation takes the platform
   * tokens' locks; a tenant's token never waits on them.
   */
  async revoke(caller: AdminPrincipal, id: string): Promise<void> {
    const scope = isPlatformAdmin(caller) ? undefined : await this.ownTenant(caller);
    await this.dataSource.transaction(async (em) => {
      const target = await this.tokens.find(em, id, scope);
      if (!target) throw new NotFoundException(`admin token ${id} does not exist`);
      if (target.tenantId === null) {
        const working = await workingPlatformAdminTokenIds(this.tokens, em, true);
        if (working.length === 1 && working[0] === id) {
          throw new ConflictException(
            `admin token ${id} is the last working platform admin token (${PLATFORM_ADMIN_PERMISSIONS.join(
              ' and ',
            )}): create another one (POST /v1/admin-tokens) before revoking it`,
          );
        }
      }
      await this.tokens.delete(em, id);
    });
    this.logger.log({ adminTokenId: id, by: caller.subject }, 'admin token revoked');
  }

  /** A platform admin names any tenant (or none: a platform token); anyone else gets their own. */
  private async tenantFor(creator: AdminPrincipal, requested: string | undefined): Promise<string | null> {
    if (isPlatformAdmin(creator)) {
      if (requested === undefined) return null;
      const tenant = await this.tenants.find(this.dataSource, requested);
      if (!tenant) throw new FieldValidationException([{ field: 'tenantId', message: 'no such tenant' }]);
      if (!tenant.enabled)
        throw new FieldValidationException([{ field: 'tenantId', message: 'the tenant is disabled' }]);
      return requested;
    }
    const own = await this.ownTenant(creator);
    if (requested !== undefined && requested !== own) {
      throw new ForbiddenException('this access token may only create tokens for its own tenant');
    }
    return own;
  }

  /** The caller's own tenant, which must still be enabled: a disabled tenant's admins are refused. */
  private async ownTenant(caller: AdminPrincipal): Promise<string> {
    if (caller.kind !== 'tenant' || !caller.tenantId) {
      throw new ForbiddenException('this access token carries no tenant');
    }
    await this.enabledTenants.require(caller.tenantId);
    return caller.tenantId;
  }

  /**
   * A token never outlives the admin token creating it. A JWT caller has no such bound we can see:
   * its `exp` ends a session, while its holder's right to act lives in the issuer and may end any
   * day. So what a JWT mints expires too, after 90 days unless asked otherwise, at most a year:
   * someone who leaves keeps no permanent credential minted during a 15-minute session.
   */
  private expiry(creator: AdminPrincipal, days: number | undefined): Date | null {
    if (creator.via === 'jwt') {
      if (days !== undefined && days > JWT_MINTED_MAX_DAYS) {
        throw new FieldValidationException([
          {
            field: 'expiresInDays',
            message: `a token created with a JWT lives at most ${JWT_MINTED_MAX_DAYS} days`,
          },
        ]);
      }
      days ??= JWT_MINTED_DEFAULT_DAYS;
    }
    const requested = days === undefined ? null : new Date(Date.now() + days * DAY_MS);
    const limit = creator.expiresAt;
    if (!limit) return requested;
    if (requested === null) return limit;
    if (requested > limit) {
      throw new FieldValidationException([
        {
          field: 'expiresInDays',
          message: `a token cannot outlive the token creating it (which expires at ${limit.toISOString()})`,
        },
      ]);
    }
    return requested;
  }
}
