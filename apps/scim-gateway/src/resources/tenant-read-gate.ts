import { Global, Injectable, Module } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { ScimError } from '@app/scim';
import { ScimGatewayConfig } from '../config/scim-gateway.config';

/** PostgreSQL cancelled the statement: statement_timeout reached (query_canceled, 57014). */
const isStatementTimeout = (error: unknown): boolean =>
  error instanceof QueryFailedError && (error.driverError as { code?: string }).code === '57014';

/** A tenant's reads are all running and none finished within the wait: Entra retries after Retry-After. */
export class TenantReadsBusy extends ScimError {
  constructor(readonly retryAfter: number) {
    super(429, 'too many SCIM reads of this tenant at once; retry later');
  }
}

/** PostgreSQL cancelled the read at the gateway's statement_timeout (a filter too costly, or the database overloaded). */
export class ReadTimedOut extends ScimError {
  constructor(
    timeoutMs: number,
    readonly retryAfter: number,
  ) {
    super(
      503,
      `the read took longer than ${timeoutMs} ms and was cancelled; narrow the filter or retry later`,
    );
  }
}

interface TenantSlots {
  running: number;
  /** Reads waiting for a slot, first come first served; each is handed the slot of a read that ends. */
  waiting: Array<() => void>;
}

/**
 * Fairness between tenants on this gateway's connection pool: at most SCIM_TENANT_READ_CONCURRENCY
 * database reads of one tenant run at once; more wait up to SCIM_TENANT_READ_WAIT_MS, then 429 +
 * Retry-After. One tenant's expensive filters can then hold only its own share of the pool, and a
 * read cancelled by statement_timeout is answered 503 + Retry-After, never 500. Per process: with n
 * gateways a tenant holds at most n × the limit.
 */
@Injectable()
export class TenantReadGate {
  private readonly tenants = new Map<string, TenantSlots>();

  constructor(private readonly config: ScimGatewayConfig) {}

  async run<T>(tenantId: string, read: () => Promise<T>): Promise<T> {
    const limited = this.config.SCIM_TENANT_READ_CONCURRENCY > 0;
    if (limited) await this.enter(tenantId);
    try {
      return await read();
    } catch (error) {
      if (isStatementTimeout(error))
        throw new ReadTimedOut(
          this.config.DATABASE_STATEMENT_TIMEOUT_MS,
          this.config.SCIM_RETRY_AFTER_SECONDS,
        );
      throw error;
    } finally {
      if (limited) this.leave(tenantId);
    }
  }

  private enter(tenantId: string): Promise<void> {
    let slots = this.tenants.get(tenantId);
    if (!slots) this.tenants.set(tenantId, (slots = { running: 0, waiting: [] }));
    if (slots.running < this.config.SCIM_TENANT_READ_CONCURRENCY) {
      slots.running++;
      return Promise.resolve();
    }
    const waiting = slots.waiting;
    return new Promise((resolve, reject) => {
      const admit = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        waiting.splice(waiting.indexOf(admit), 1);
        reject(new TenantReadsBusy(this.config.SCIM_RETRY_AFTER_SECONDS));
      }, this.config.SCIM_TENANT_READ_WAIT_MS);
      waiting.push(admit);
    });
  }

  private leave(tenantId: string): void {
    const slots = this.tenants.get(tenantId)!;
    const next = slots.waiting.shift();
    if (next) next();
    else if (--slots.running === 0) this.tenants.delete(tenantId);
  }
}

/** One gate for the whole process, shared by every resource type's repository. */
@Global()
@Module({ providers: [TenantReadGate], exports: [TenantReadGate] })
export class TenantReadGateModule {}
