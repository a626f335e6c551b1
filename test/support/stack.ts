import { RunningApp, startIamAdmin, startScimGateway } from './apps';
import {
  createTenant,
  http,
  HttpResult,
  issueAdminToken,
  PLATFORM_PERMISSIONS,
  seedProviderBody,
} from './fixtures';

/** Both services wired together (same queue prefix, same database), a tenant, a provider and a SCIM token. */
export interface ScimStack {
  iam: RunningApp;
  gateway: RunningApp;
  platformToken: string;
  tenantId: string;
  scimToken: string;
  scimTokenId: string;
  provider: string;
  /** `/{tenantId}/api/scim/v2` */
  base: string;
  scim<T = any>(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<HttpResult<T>>;
  close(): Promise<void>;
}

export async function startScimStack(
  options: { iamEnv?: Record<string, string>; gatewayEnv?: Record<string, string> } = {},
): Promise<ScimStack> {
  const iam = await startIamAdmin(options.iamEnv);
  const gateway = await startScimGateway({ QUEUE_PREFIX: iam.env.QUEUE_PREFIX, ...options.gatewayEnv });
  const platformToken = await issueAdminToken(iam, PLATFORM_PERMISSIONS);
  const tenantId = await createTenant(iam, platformToken, 'SCIM tenant');
  return withTenant(iam, gateway, platformToken, tenantId);
}

/** A tenant with its own provider and SCIM token on running services. */
export async function withTenant(
  iam: RunningApp,
  gateway: RunningApp,
  platformToken: string,
  tenantId: string,
): Promise<ScimStack> {
  const provider = 'entra';
  await http(iam.url, 'POST', '/v1/sso/azuread', {
    token: platformToken,
    tenantId,
    body: seedProviderBody(provider),
  });
  const created = await http(iam.url, 'POST', '/v1/scim', {
    token: platformToken,
    tenantId,
    body: { provider, providerDisplayName: 'Entra ID' },
  });
  if (created.status !== 201) throw new Error(`SCIM token create failed: ${created.text}`);
  const base = `/${tenantId}/api/scim/v2`;
  const scimToken = created.body.token as string;
  return {
    iam,
    gateway,
    platformToken,
    tenantId,
    scimToken,
    scimTokenId: created.body.id,
    provider,
    base,
    scim: (method, path, body, headers) =>
      http(
        gateway.url,
        method,
        path.startsWith('/') && !path.startsWith(base) && !path.startsWith('/api') ? base + path : path,
        {
          token: scimToken,
          body,
          headers: { ...(body !== undefined ? { 'content-type': 'application/scim+json' } : {}), ...headers },
        },
      ),
    close: async () => {
      await gateway.close();
      await iam.close();
    },
  };
}
