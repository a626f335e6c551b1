import {
  applyDecorators,
  createParamDecorator,
  ExecutionContext,
  SetMetadata,
  UseGuards,
} from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { ApiBearerAuth, ApiForbiddenResponse, ApiHeader, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ADMIN_ACCESS, AdminAccessRule, AdminPrincipal, AdminRequest } from './admin-principal';
import { AdminAccessGuard } from './admin-access.guard';

/**
 * Bearer authentication (opaque admin token, JWT, or IAM's own access token of an organization
 * owner), then the permission and tenant rule.
 */
export function AdminAccess(rule: AdminAccessRule): MethodDecorator & ClassDecorator {
  return applyDecorators(
    SetMetadata(ADMIN_ACCESS, rule),
    UseGuards(AuthGuard(['admin-token', 'jwt', 'iam-token']), AdminAccessGuard),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ description: 'Missing or invalid access token' }),
    ApiForbiddenResponse({ description: `The token lacks ${rule.permission}, or the tenant is not its own` }),
    ...(rule.tenantScoped
      ? [
          ApiHeader({
            name: 'X-Tenant-Id',
            required: false,
            description: 'Tenant, for platform-level tokens',
          }),
        ]
      : []),
  );
}

/** The tenant the request acts on, settled by AdminAccessGuard. */
export const TenantId = createParamDecorator((_: unknown, context: ExecutionContext): string => {
  const tenantId = context.switchToHttp().getRequest<AdminRequest>().tenantId;
  if (!tenantId) throw new Error('TenantId used on an endpoint that is not tenant-scoped');
  return tenantId;
});

/** Who is calling, as authenticated by AdminAccess. */
export const Principal = createParamDecorator(
  (_: unknown, context: ExecutionContext): AdminPrincipal =>
    context.switchToHttp().getRequest<AdminRequest>().user as AdminPrincipal,
);
