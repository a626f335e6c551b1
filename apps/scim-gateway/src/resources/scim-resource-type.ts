import type { PatchOperation, ResourceTypeDefinition } from '@app/scim';
import type { ProvisioningRequest } from '../provisioning/provisioning-client';

/**
 * What the shared SCIM resource code (ScimResourceService, ScimResourceController) needs to know
 * about one resource type: all that differs between /Users and /Groups, apart from the SQL (the
 * type's repository) and how PATCH is answered (the type's controller).
 */
export interface ScimResourceType {
  /** The SCIM resource type served: name, endpoint, schemas (also the rules for filters and PATCH). */
  schema: ResourceTypeDefinition;
  /** The provisioning command each write becomes; IAM's worker applies it. */
  commands: {
    create(body: unknown): ProvisioningRequest;
    replace(id: string, body: unknown, ifMatchVersion?: number): ProvisioningRequest;
    patch(id: string, operations: PatchOperation[], ifMatchVersion?: number): ProvisioningRequest;
    delete(id: string, ifMatchVersion?: number): ProvisioningRequest;
  };
  /** The multi-valued attribute kept in other rows (a User's `groups`, a Group's `members`). */
  related: {
    attribute: string;
    /** The endpoint its values point to (`$ref`), and their `type`. */
    endpoint: string;
    type: string;
    /** Whether a create can set it (a Group's first members). If not, a create is answered without a read. */
    setOnCreate: boolean;
  };
}
