import { AdminTokenEntity } from './admin-token.entity';
import { IdentityProviderEntity } from './identity-provider.entity';
import { ScimTokenEntity } from './scim-token.entity';
import { SubjectEntity } from './subject.entity';
import { TenantEntity } from './tenant.entity';

export { AdminTokenEntity, IdentityProviderEntity, ScimTokenEntity, SubjectEntity, TenantEntity };

export const ENTITIES = [
  TenantEntity,
  AdminTokenEntity,
  IdentityProviderEntity,
  ScimTokenEntity,
  SubjectEntity,
];
