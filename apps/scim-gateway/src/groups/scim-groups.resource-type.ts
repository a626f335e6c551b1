import { ProvisioningCommandName } from '@app/contracts';
import { GROUP_RESOURCE_TYPE, normalizeGroupDocument } from '@app/scim';
import { ScimResourceType } from '../resources/scim-resource-type';

/** SCIM Groups; `members` are Users only (no nested groups), stored as rows, never as a JSON array. */
export const SCIM_GROUPS: ScimResourceType = {
  schema: GROUP_RESOURCE_TYPE,
  commands: {
    create: (body) => {
      const { document, members } = normalizeGroupDocument(body);
      return { name: ProvisioningCommandName.CreateGroup, document, members: members ?? [] };
    },
    // A PUT without `members` leaves them as they are.
    replace: (groupId, body, ifMatchVersion) => ({
      name: ProvisioningCommandName.ReplaceGroup,
      groupId,
      ...normalizeGroupDocument(body),
      ifMatchVersion,
    }),
    patch: (groupId, operations, ifMatchVersion) => ({
      name: ProvisioningCommandName.PatchGroup,
      groupId,
      operations,
      ifMatchVersion,
    }),
    delete: (groupId, ifMatchVersion) => ({
      name: ProvisioningCommandName.DeleteGroup,
      groupId,
      ifMatchVersion,
    }),
  },
  related: { attribute: 'members', endpoint: '/Users', type: 'User', setOnCreate: true },
};
