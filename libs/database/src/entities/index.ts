import { AdminTokenEntity } from './admin-token.entity';
import { IdentityProviderEntity } from './identity-provider.entity';
import { ScimTokenEntity } from './scim-token.entity';
import { TenantEntity } from './tenant.entity';

export { AdminTokenEntity, IdentityProviderEntity, ScimTokenEntity, TenantEntity };

export const ENTITIES = [TenantEntity, AdminTokenEntity, IdentityProviderEntity, ScimTokenEntity];
