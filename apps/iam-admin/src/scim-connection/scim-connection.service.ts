import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { IamAdminConfig } from '../config/iam-admin.config';
import { ScimConnectionTestResultDto } from './scim-connection.dto';

/** Long enough for a gateway under load; Entra itself gives up on Test Connection after about as long. */
const TEST_TIMEOUT_MS = 10_000;
const MAX_BODY_CHARS = 64 * 1024;

/**
 * Entra's "Test Connection", run from IAM: the request Entra sends when an admin clicks the button
 * (a filter for a userName that cannot exist) against the public SCIM URL the connector details
 * give, with the token the operator chose. The URL comes from configuration only, never from the
 * caller, so this reaches nothing but the SCIM gateway.
 */
@Injectable()
export class ScimConnectionService {
  constructor(private readonly config: IamAdminConfig) {}

  async test(tenantId: string, token: string): Promise<ScimConnectionTestResultDto> {
    const base = `${this.config.SCIM_PUBLIC_URL.replace(/\/+$/, '')}/${tenantId}/api/scim/v2`;
    const filter = `userName eq "${randomUUID()}"`;
    const url = `${base}/Users?filter=${encodeURIComponent(filter)}`;
    const request = { method: 'GET', url };
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    try {
      const response = await fetch(url, {
        headers: { authorization: `Bearer ${token}`, accept: 'application/scim+json' },
        redirect: 'manual',
        signal: AbortSignal.timeout(TEST_TIMEOUT_MS),
      });
      const body = await response.text();
      return {
        request,
        status: response.status,
        contentType: response.headers.get('content-type'),
        body: body.slice(0, MAX_BODY_CHARS),
        error: null,
        durationMs: elapsed(),
      };
    } catch (error) {
      return {
        request,
        status: null,
        contentType: null,
        body: '',
        error: describe(error),
        durationMs: elapsed(),
      };
    }
  }
}

/**
 * fetch reports "fetch failed" with the reason (ECONNREFUSED, ENOTFOUND …) as its cause. Read as
 * plain properties: undici's errors need not be instances of this realm's Error.
 */
function describe(error: unknown): string {
  const { name, message, cause } = (error ?? {}) as { name?: string; message?: string; cause?: unknown };
  if (name === 'TimeoutError') return `no answer within ${TEST_TIMEOUT_MS} ms`;
  const reason = (cause ?? {}) as { code?: string; message?: string };
  return reason.code ?? reason.message ?? message ?? String(error);
}
