import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit, Optional } from '@nestjs/common';
import Redis from 'ioredis';
import {
  identityProviderDisabledChannel,
  scimTokenRevokedChannel,
  tenantDisabledChannel,
} from '@app/contracts';
import { digestBearerSecret, REDIS_CLIENT } from '@app/platform';
import { ScimGatewayConfig } from '../config/scim-gateway.config';
import { ScimMetrics } from '../metrics/scim-metrics';
import { ScimPrincipal } from './scim-principal';
import { ScimTokenLookupRepository } from './scim-token-lookup.repository';

type Revoked = 'tokenId' | 'tenantId' | 'identityProviderId';

/**
 * Checks presented SCIM tokens by digest. Hits are kept in memory for a short while so the check
 * costs microseconds, but only while this gateway hears IAM's announcements (a revoked token, a
 * disabled tenant or identity provider) on Redis: each drops the entries it concerns at once, and
 * without the subscription every request is checked against PostgreSQL. A lookup that was under
 * way when an announcement arrived may have read the row before the change, so it is not cached.
 * lastUsedAt is collected in memory and written in one batched UPDATE.
 */
@Injectable()
export class ScimTokenVerifier implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(ScimTokenVerifier.name);
  private readonly cache = new Map<string, { principal: ScimPrincipal; until: number }>();
  private readonly used = new Set<string>();
  /** Bumped by every announcement and every change of the subscription. */
  private epoch = 0;
  /** Subscribed and connected: announcements reach us, so cached entries can be trusted. */
  private listening = false;
  private subscriber?: Redis;
  private flushTimer?: NodeJS.Timeout;

  constructor(
    private readonly tokens: ScimTokenLookupRepository,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly config: ScimGatewayConfig,
    // Optional: unit specs and benchmarks build the verifier without a metrics registry.
    @Optional() private readonly metrics?: ScimMetrics,
  ) {}

  onModuleInit(): void {
    const prefix = this.config.QUEUE_PREFIX;
    const channels = new Map<string, Revoked>([
      [scimTokenRevokedChannel(prefix), 'tokenId'],
      [tenantDisabledChannel(prefix), 'tenantId'],
      [identityProviderDisabledChannel(prefix), 'identityProviderId'],
    ]);
    // Not awaited: the gateway starts (and reports not ready) while Redis is away. We subscribe
    // ourselves on every (re)connection, and trust the cache only once the subscription is
    // confirmed: ioredis reports "ready" before its own automatic re-subscription completes.
    this.subscriber = this.redis.duplicate({ maxRetriesPerRequest: null, autoResubscribe: false });
    this.subscriber.on('message', (channel: string, id: string) => {
      const field = channels.get(channel);
      if (field) this.forget(field, id);
    });
    this.subscriber.on('ready', () => {
      this.subscriber!.subscribe(...channels.keys()).then(
        () => this.listen(true), // revocations may have been missed while away: trust nothing cached
        (error: Error) =>
          this.logger.error({ err: error.message }, 'could not subscribe to SCIM access revocations'),
      );
    });
    this.subscriber.on('close', () => this.listen(false));
    this.flushTimer = setInterval(() => void this.flushLastUsed(), this.config.SCIM_LAST_USED_FLUSH_MS);
    this.flushTimer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.flushTimer);
    await this.flushLastUsed();
    this.subscriber?.disconnect();
  }

  /** The principal for a presented token, or undefined when it is unknown, revoked or expired. */
  async authenticate(token: string): Promise<ScimPrincipal | undefined> {
    const digest = digestBearerSecret(token);
    const now = Date.now();
    const cached = this.listening ? this.cache.get(digest) : undefined;
    let principal = cached && cached.until >= now ? cached.principal : undefined;
    this.metrics?.tokenLookup(principal !== undefined);
    if (!principal) {
      const epoch = this.epoch;
      principal = await this.tokens.findPrincipal(digest);
      if (!principal) {
        this.cache.delete(digest);
        return undefined;
      }
      if (this.listening && epoch === this.epoch) {
        this.cache.set(digest, { principal, until: now + this.config.SCIM_TOKEN_CACHE_TTL_MS });
      }
    }
    if (principal.expiresAt <= Date.now()) return undefined;
    this.used.add(principal.tokenId);
    return principal;
  }

  private listen(listening: boolean): void {
    this.listening = listening;
    this.epoch++;
    this.cache.clear();
  }

  private forget(field: Revoked, id: string): void {
    this.epoch++;
    for (const [digest, entry] of this.cache) if (entry.principal[field] === id) this.cache.delete(digest);
  }

  async flushLastUsed(): Promise<void> {
    if (this.used.size === 0) return;
    const ids = [...this.used];
    this.used.clear();
    try {
      await this.tokens.recordUse(ids);
    } catch (error) {
      for (const id of ids) this.used.add(id);
      this.logger.warn({ err: (error as Error).message }, 'could not record SCIM token use; will retry');
    }
  }
}
