import { Injectable } from '@nestjs/common';
import { iamPublicUrl, IamAdminConfig } from '../config/iam-admin.config';
import { loginFlowOf } from '../sso-login/login-flow';
import { ConnectorDetailsDto } from './identity-provider.dto';
import { IdentityProviderRow } from './identity-providers.repository';

/**
 * The Azure AD connector's details as the setup guide has the customer copy them into Entra: the
 * tenant's SCIM base URL on the gateway, IAM's web callback for the Web platform, and the app
 * redirect URIs (login-flow.ts: every registered URI that is not IAM's callback) for Mobile and desktop.
 */
@Injectable()
export class ConnectorDetails {
  constructor(private readonly config: IamAdminConfig) {}

  of(provider: IdentityProviderRow): ConnectorDetailsDto {
    const { tenantId, scheme } = provider;
    // The same public URL IAM's tokens are issued under (iam-tokens.service.ts).
    const iam = iamPublicUrl(this.config);
    const publicUrl = this.config.IAM_PUBLIC_URL;
    return {
      scimBaseUrl: `${trimSlash(this.config.SCIM_PUBLIC_URL)}/${tenantId}/api/scim/v2`,
      redirectUris: {
        web: `${trimSlash(iam)}/v1/login/${tenantId}/${scheme}/callback`,
        mobileAndDesktop: provider.redirectUris.filter(
          (uri) => loginFlowOf(uri, { tenantId, scheme, publicUrl }) === 'app',
        ),
      },
    };
  }
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
