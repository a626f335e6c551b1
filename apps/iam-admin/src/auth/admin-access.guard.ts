import {
  BadRequestException,
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Injectable,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { isUUID } from 'class-validator';
import { EnabledTenants } from '../tenants/enabled-tenants';
import {
  ADMIN_ACCESS,
  AdminAccessRule,
  AdminPrincipal,
  AdminRequest,
  isPlatformAdmin,
  TENANT_HEADER,
} from './admin-principal';

/**
 * Runs after authentication: checks the permission an endpoint needs (403) and settles which
 * tenant the request acts on, so no controller ever reads a tenant from anywhere else.
 */
@Injectable()
export class AdminAccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tenants: EnabledTenants,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const rule = this.reflector.getAllAndOverride<AdminAccessRule>(ADMIN_ACCESS, [
      context.getHandler(),
      context.getClass(),
    ]);
    const request = context.switchToHttp().getRequest<AdminRequest>();
    const principal = request.user as AdminPrincipal;
    if (!principal.permissions.includes(rule.permission)) {
      throw new ForbiddenException(`this access token lacks the ${rule.permission} permission`);
    }
    if (rule.tenantScoped) request.tenantId = await this.resolveTenant(principal, request);
    return true;
  }

  private async resolveTenant(principal: AdminPrincipal, request: AdminRequest): Promise<string> {
    const header = request.headers[TENANT_HEADER];
    const requested = Array.isArray(header) ? header[0] : header;
    let tenantId: string;
    if (principal.kind === 'tenant') {
      if (!principal.tenantId) throw new ForbiddenException('this access token carries no tenant');
      if (requested && requested !== principal.tenantId) {
        throw new ForbiddenException('this access token is scoped to another tenant than X-Tenant-Id');
      }
      tenantId = principal.tenantId;
    } else {
      if (!isPlatformAdmin(principal)) {
        throw new ForbiddenException('this access token carries no tenant');
      }
      if (!requested) {
        throw new BadRequestException('X-Tenant-Id header is required with a platform-level access token');
      }
      tenantId = requested;
    }
    if (!isUUID(tenantId)) throw new BadRequestException('X-Tenant-Id must be a tenant id (a UUID)');
    await this.tenants.require(tenantId);
    return tenantId;
  }
}
