import { ProvisioningCommandName } from '@app/contracts';
import { normalizeUserDocument, USER_RESOURCE_TYPE } from '@app/scim';
import { ScimResourceType } from '../resources/scim-resource-type';

/** SCIM Users are IAM's subjects; a User's `groups` (read-only) are its direct memberships. */
export const SCIM_USERS: ScimResourceType = {
  schema: USER_RESOURCE_TYPE,
  commands: {
    create: (body) => ({ name: ProvisioningCommandName.CreateUser, document: normalizeUserDocument(body) }),
    replace: (subjectId, body, ifMatchVersion) => ({
      name: ProvisioningCommandName.ReplaceUser,
      subjectId,
      document: normalizeUserDocument(body),
      ifMatchVersion,
    }),
    patch: (subjectId, operations, ifMatchVersion) => ({
      name: ProvisioningCommandName.PatchUser,
      subjectId,
      operations,
      ifMatchVersion,
    }),
    delete: (subjectId, ifMatchVersion) => ({
      name: ProvisioningCommandName.DeleteUser,
      subjectId,
      ifMatchVersion,
    }),
  },
  // Memberships are written on the Group side, so a new User belongs to no group yet.
  related: {
    attribute: 'groups',
    endpoint: '/Groups',
    type: 'direct',
    setOnCreate: false,
  },
};
