import { ScimResourceController, ScimResourceEndpoint } from '../resources/scim-resource.controller';
import { ScimResourceService } from '../resources/scim-resource.service';
import { SCIM_USERS } from './scim-users.resource-type';

/** RFC 7644 /Users: the shared endpoints as they are (PATCH answers 200 with the User and its groups). */
@ScimResourceEndpoint(SCIM_USERS)
export class ScimUsersController extends ScimResourceController {
  constructor(resources: ScimResourceService) {
    super(resources);
  }
}
