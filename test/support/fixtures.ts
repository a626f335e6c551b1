import { DataSource } from 'typeorm';
import { digestBearerSecret, generateBearerSecret, SECRET_PREFIX } from '@app/platform';
import { AdminTokensRepository } from '../../apps/iam-admin/src/admin-tokens/admin-tokens.repository';
import type { RunningApp } from './apps';

export interface HttpResult<T = any> {
  status: number;
  body: T;
  headers: Headers;
  text: string;
}

/** A small fetch wrapper: real HTTP against a running app, JSON in and out. */
export async function http<T = any>(
  base: string,
  method: string,
  path: string,
  options: {
    token?: string;
    tenantId?: string;
    body?: unknown;
    rawBody?: string;
    headers?: Record<string, string>;
  } = {},
): Promise<HttpResult<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.tenantId) headers['x-tenant-id'] = options.tenantId;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers['content-type'] ??= 'application/json';
  const response = await fetch(base + path, { method, headers, body });
  const text = await response.text();
  let parsed: unknown = undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  return { status: response.status, body: parsed as T, headers: response.headers, text };
}

/** Stores an admin token straight in the database, as the bootstrap would, and returns its value. */
export async function issueAdminToken(
  iam: RunningApp,
  permissions: string[],
  tenantId: string | null = null,
): Promise<string> {
  const token = generateBearerSecret(SECRET_PREFIX.adminToken);
  await new AdminTokensRepository().insert(iam.app.get(DataSource), {
    tokenHash: digestBearerSecret(token),
    description: 'test',
    tenantId,
    permissions,
    tokenHint: null,
    expiresAt: null,
    createdBy: null,
  });
  return token;
}

export const PLATFORM_PERMISSIONS = ['iam:platform-admin', 'iam:admin'];

/** A fresh tenant through the real API. */
export async function createTenant(
  iam: RunningApp,
  platformToken: string,
  displayName = 'Test tenant',
): Promise<string> {
  const res = await http(iam.url, 'POST', '/v1/tenants', { token: platformToken, body: { displayName } });
  if (res.status !== 201) throw new Error(`tenant create failed: ${res.status} ${res.text}`);
  return res.body.id;
}

/** The seed's provider body (000/001), with a scheme of the caller's choice and any properties replaced. */
export function seedProviderBody(
  scheme: string,
  properties: Record<string, unknown> = {},
): Record<string, any> {
  return {
    scheme,
    displayName: 'Contoso Entra ID',
    enabled: true,
    type: 'oidc',
    properties: {
      loginEnabled: true,
      visible: true,
      delegationEnabled: false,
      autoProvisioningEnabled: true,
      clientId: 'my-client-id',
      clientSecret: 'my-client-secret',
      usePkce: true,
      authority: 'https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0',
      responseType: 'code',
      scope: 'openid profile email',
      ...properties,
    },
  };
}
