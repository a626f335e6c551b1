import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { scimTokenRevokedChannel } from '@app/contracts';
import { digestBearerSecret, REDIS_CLIENT } from '@app/platform';
import { ScimGatewayConfig } from '../config/scim-gateway.config';
import { ScimPrincipal } from './scim-principal';

/**
 * Checks presented SCIM tokens by digest. Hits are kept in memory for a short while so the check
 * costs microseconds; IAM announces revocations on Redis and the entry is dropped at once.
 * lastUsedAt is collected in memory and written in one batched UPDATE.
 */
@Injectable()
export class ScimTokensService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(ScimTokensService.name);
  private readonly cache = new Map<string, { principal: ScimPrincipal; until: number }>();
  private readonly used = new Set<string>();
  private subscriber?: Redis;
  private flushTimer?: NodeJS.Timeout;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly config: ScimGatewayConfig,
  ) {}

  onModuleInit(): void {
    // Not awaited: the gateway starts (and reports not ready) while Redis is away; ioredis
    // subscribes as soon as it connects and again after every reconnect.
    this.subscriber = this.redis.duplicate({ maxRetriesPerRequest: null });
    this.subscriber.on('message', (_channel: string, tokenId: string) => this.forget(tokenId));
    // After a reconnect, revocations may have been missed: trust nothing cached.
    this.subscriber.on('ready', () => this.cache.clear());
    this.subscriber.subscribe(scimTokenRevokedChannel(this.config.QUEUE_PREFIX)).catch((error: Error) => {
      this.logger.error({ err: error.message }, 'could not subscribe to SCIM token revocations');
    });
    this.flushTimer = setInterval(() => void this.flushLastUsed(), this.config.SCIM_LAST_USED_FLUSH_MS);
    this.flushTimer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.flushTimer);
    await this.flushLastUsed();
    this.subscriber?.disconnect();
  }

  /** The principal for a presented token, or undefined when it is unknown or expired. */
  async authenticate(token: string): Promise<ScimPrincipal | undefined> {
    const digest = digestBearerSecret(token);
    const now = Date.now();
    let cached = this.cache.get(digest);
    if (!cached || cached.until < now) {
      const principal = await this.lookup(digest);
      if (!principal) {
        this.cache.delete(digest);
        return undefined;
      }
      cached = { principal, until: now + this.config.SCIM_TOKEN_CACHE_TTL_MS };
      this.cache.set(digest, cached);
    }
    if (cached.principal.expiresAt <= now) return undefined;
    this.used.add(cached.principal.tokenId);
    return cached.principal;
  }

  private async lookup(digest: string): Promise<ScimPrincipal | undefined> {
    const rows: Array<{ id: string; tenant_id: string; provider: string; expires_at: Date }> =
      await this.dataSource.query(
        `SELECT t.id, t.tenant_id, t.provider, t.expires_at
         FROM scim_tokens t JOIN tenants n ON n.id = t.tenant_id
        WHERE t.token_hash = $1 AND n.enabled`,
        [digest],
      );
    const row = rows[0];
    return (
      row && {
        tokenId: row.id,
        tenantId: row.tenant_id,
        provider: row.provider,
        expiresAt: new Date(row.expires_at).getTime(),
      }
    );
  }

  private forget(tokenId: string): void {
    for (const [digest, entry] of this.cache)
      if (entry.principal.tokenId === tokenId) this.cache.delete(digest);
  }

  async flushLastUsed(): Promise<void> {
    if (this.used.size === 0) return;
    const ids = [...this.used];
    this.used.clear();
    try {
      await this.dataSource.query(`UPDATE scim_tokens SET last_used_at = now() WHERE id = ANY($1::uuid[])`, [
        ids,
      ]);
    } catch (error) {
      for (const id of ids) this.used.add(id);
      this.logger.warn({ err: (error as Error).message }, 'could not record SCIM token use; will retry');
    }
  }
}
