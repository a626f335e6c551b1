import { Injectable, Logger, OnApplicationShutdown, OnModuleInit, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { isUUID } from 'class-validator';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import { Db } from '@app/database';
import { withTimeLimit } from '@app/platform';
import { IamAdminConfig } from '../config/iam-admin.config';
import { IamMetrics } from '../metrics/iam-metrics';
import { TenantConfigNotificationsRepository } from './tenant-config-notifications.repository';

/** Shown in pg_stat_activity. */
export const TENANT_CONFIG_LISTENER_NAME = 'iam-admin cache listener';
/** Tenants one cache keeps at most; the least recently read go first. */
const MAX_TENANTS = 10_000;
/** First wait before reconnecting the listener; doubles on each failure up to RETRY_MAX_MS. */
const RETRY_FIRST_MS = 250;
const RETRY_MAX_MS = 10_000;
/**
 * How often the listener is proven to hear notifications (a probe sent through the pool must come
 * back on it), and how long that (or a connection attempt) may take: a connection that died
 * silently, or a LISTEN a transaction-mode pooler accepted but never delivers to, is not trusted.
 */
const HEARTBEAT_MS = 5_000;
/** Longest an entry is served: the backstop for changes made outside `change()` (psql, data migrations). */
const ENTRY_TTL_MS = 60_000;
const SHUTDOWN_WAIT_MS = 2_000;

/** One kind of configuration of a tenant, read from memory while that can be trusted, else from the database. */
export interface TenantConfigReader<T> {
  /**
   * `db` is where a miss is read: it may be the caller's READ COMMITTED transaction (each statement
   * sees what was committed before it started), so a miss needs no second pooled connection.
   * The value may be shared with other callers: never change it.
   */
  get(db: Db, tenantId: string): Promise<T>;
}

/**
 * Per-tenant caches of rarely changing configuration (provisioning settings, webhook
 * subscriptions), correct across IAM instances. Every change is announced with pg_notify in the
 * writer's transaction (see `change`), so PostgreSQL tells every instance at commit, never before
 * and never for a rollback; each instance drops that tenant's entries when it hears it.
 *
 * Entries are trusted only while this instance's LISTEN is established on its own connection (not
 * one of the pool's): when the connection is lost, every read goes to the database until it is back,
 * and entries are cleared both ways, since changes may have been missed meanwhile. A load that was
 * under way when an invalidation arrived may have read the row before the change: it is answered
 * but not kept (the epoch moved). With IAM_TENANT_CONFIG_CACHE=false nothing is kept.
 */
@Injectable()
export class TenantConfigCacheService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(TenantConfigCacheService.name);
  private readonly caches: Array<Map<string, unknown>> = [];
  /** Bumped by every invalidation and every change of the listener's state. */
  private epoch = 0;
  private trusted = false;
  private client?: Client;
  private heartbeat?: NodeJS.Timeout;
  private retry?: NodeJS.Timeout;
  private retryMs = RETRY_FIRST_MS;
  private stopped = false;
  /** The probe this instance sent last, and whether its listener heard it. */
  private probe?: { payload: string; heard: () => void; wasHeard: boolean };
  private readonly instanceId = randomUUID();
  private probes = 0;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: IamAdminConfig,
    private readonly notifications: TenantConfigNotificationsRepository,
    // Optional: specs build the cache without a metrics registry.
    @Optional() private readonly metrics?: IamMetrics,
  ) {}

  /** Whether cached entries are served now (the listener hears every change). */
  get listening(): boolean {
    return this.trusted;
  }

  onModuleInit(): void {
    // Not awaited: IAM starts while the listener connects, reading from the database meanwhile.
    if (this.config.IAM_TENANT_CONFIG_CACHE) void this.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    const client = this.detach();
    if (client) await withTimeLimit(client.end(), SHUTDOWN_WAIT_MS).catch(() => undefined);
  }

  /** A cache named `name` (its metrics label) whose misses run `load`. */
  cache<T>(
    name: string,
    load: (db: Db, tenantId: string) => Promise<T>,
    maxTenants = MAX_TENANTS,
    ttlMs = ENTRY_TTL_MS,
  ): TenantConfigReader<T> {
    const entries = new Map<string, { value: T; until: number }>();
    this.caches.push(entries);
    return {
      get: async (db, tenantId) => {
        // Tenant ids arrive as clients typed them; the announcements carry them as writers did.
        const key = tenantId.toLowerCase();
        const entry = entries.get(key);
        if (entry && entry.until > Date.now()) {
          entries.delete(key); // re-inserted last: the most recently read
          entries.set(key, entry);
          this.metrics?.tenantConfigLookup(name, true);
          return entry.value;
        }
        this.metrics?.tenantConfigLookup(name, false);
        const epoch = this.epoch;
        const value = await load(db, tenantId);
        if (this.trusted && epoch === this.epoch) {
          entries.delete(key);
          entries.set(key, { value, until: Date.now() + ttlMs });
          if (entries.size > maxTenants) entries.delete(entries.keys().next().value!);
        }
        return value;
      },
    };
  }

  /**
   * Runs a change of the tenant's cached configuration in a transaction that announces it to every
   * instance at commit. This instance forgets the tenant right after, so its next read is fresh
   * even before its own notification comes back.
   */
  async change<T>(tenantId: string, work: (em: EntityManager) => Promise<T>): Promise<T> {
    try {
      return await this.dataSource.transaction(async (em) => {
        const result = await work(em);
        await this.notifications.announce(em, tenantId);
        return result;
      });
    } finally {
      this.forget(tenantId);
    }
  }

  private forget(tenantId: string): void {
    this.epoch++;
    const key = tenantId.toLowerCase();
    for (const entries of this.caches) entries.delete(key);
  }

  /** Entries exist only while trusted: they are cleared whenever this changes, and kept only while trusted. */
  private trust(trusted: boolean): void {
    this.trusted = trusted;
    this.epoch++;
    for (const entries of this.caches) entries.clear();
  }

  private async connect(): Promise<void> {
    const client = new Client({
      connectionString: this.config.DATABASE_URL,
      application_name: TENANT_CONFIG_LISTENER_NAME,
      connectionTimeoutMillis: HEARTBEAT_MS,
      query_timeout: HEARTBEAT_MS,
    });
    this.client = client;
    // The payload is input: anything but a tenant id or this instance's probe is ignored.
    client.on('notification', ({ payload }) => {
      if (payload !== undefined && payload === this.probe?.payload) this.probe.heard();
      else if (payload !== undefined && isUUID(payload)) this.forget(payload);
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await this.notifications.listen(client);
      // Trusted once a notification sent through the pool is heard on this connection.
      await withTimeLimit(this.sendProbe(), HEARTBEAT_MS, 'hearing a probe notification');
    } catch (error) {
      this.lost(client, error);
      return;
    }
    if (this.client !== client) return; // lost or shut down meanwhile
    this.retryMs = RETRY_FIRST_MS;
    this.trust(true);
    this.heartbeat = setInterval(() => {
      if (!this.probe?.wasHeard) return this.lost(client, new Error('a probe notification was not heard'));
      this.sendProbe().catch((error: unknown) => this.lost(client, error));
    }, HEARTBEAT_MS);
    this.heartbeat.unref();
    this.logger.log('listening for tenant configuration changes: cache on');
  }

  /** Announces a probe through the pool (another connection, as other instances' changes come); resolves when heard. */
  private sendProbe(): Promise<void> {
    const payload = `probe:${this.instanceId}:${++this.probes}`;
    return new Promise<void>((resolve, reject) => {
      const probe = {
        payload,
        wasHeard: false,
        heard: () => {
          probe.wasHeard = true;
          resolve();
        },
      };
      this.probe = probe;
      this.notifications.announce(this.dataSource, payload).catch(reject);
    });
  }

  /** The listener's connection failed: nothing cached is trusted until a new one listens. */
  private lost(client: Client, error?: unknown): void {
    if (this.client !== client) return; // already handled
    this.detach();
    void client.end().catch(() => undefined);
    if (this.stopped) return;
    this.logger.warn(
      { err: error instanceof Error ? error.message : 'connection ended', retryInMs: this.retryMs },
      'tenant configuration listener lost: reading from the database until it is back',
    );
    this.retry = setTimeout(() => void this.connect(), this.retryMs);
    this.retry.unref();
    this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
  }

  private detach(): Client | undefined {
    const client = this.client;
    this.client = undefined;
    clearInterval(this.heartbeat);
    this.trust(false);
    return client;
  }
}
