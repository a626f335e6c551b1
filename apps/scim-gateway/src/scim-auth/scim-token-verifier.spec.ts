import { EventEmitter } from 'node:events';
import { Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import {
  identityProviderDisabledChannel,
  scimTokenRevokedChannel,
  tenantDisabledChannel,
} from '@app/contracts';
import { digestBearerSecret } from '@app/platform';
import { ScimGatewayConfig } from '../config/scim-gateway.config';
import { ScimPrincipal } from './scim-principal';
import { ScimTokenLookupRepository } from './scim-token-lookup.repository';
import { ScimTokenVerifier } from './scim-token-verifier';

const PREFIX = 'unit';
const principalOf = (token: string, over: Partial<ScimPrincipal> = {}): ScimPrincipal => ({
  tokenId: `id-${token}`,
  tenantId: `tenant-${token}`,
  identityProviderId: `idp-${token}`,
  provider: 'azuread',
  expiresAt: Date.now() + 3_600_000,
  ...over,
});

/** scim_tokens as a map from digest to principal; counts lookups and records use like the real one. */
class FakeTokens {
  readonly rows = new Map<string, ScimPrincipal>();
  lookups = 0;
  used: string[][] = [];
  failRecordUse = false;
  /** When set, a lookup waits for it before answering (a lookup under way while something happens). */
  gate?: Promise<void>;

  add(token: string, over: Partial<ScimPrincipal> = {}): ScimPrincipal {
    const principal = principalOf(token, over);
    this.rows.set(digestBearerSecret(token), principal);
    return principal;
  }

  async findPrincipal(digest: string): Promise<ScimPrincipal | undefined> {
    this.lookups++;
    const row = this.rows.get(digest);
    await this.gate;
    return row && { ...row };
  }

  async recordUse(ids: string[]): Promise<void> {
    if (this.failRecordUse) throw new Error('database away');
    this.used.push(ids);
  }
}

/** The Redis subscriber connection: the test emits its ready, message and close events. */
class FakeSubscriber extends EventEmitter {
  subscribe = jest.fn(async (...channels: string[]) => channels.length);
  disconnect = jest.fn();
}

describe('ScimTokenVerifier', () => {
  let tokens: FakeTokens;
  let subscriber: FakeSubscriber;
  let verifier: ScimTokenVerifier;

  const make = (ttlMs = 60_000) => {
    tokens = new FakeTokens();
    subscriber = new FakeSubscriber();
    const redis = { duplicate: () => subscriber } as unknown as Redis;
    const config = Object.assign(new ScimGatewayConfig(), {
      QUEUE_PREFIX: PREFIX,
      SCIM_TOKEN_CACHE_TTL_MS: ttlMs,
      SCIM_LAST_USED_FLUSH_MS: 3_600_000,
    });
    verifier = new ScimTokenVerifier(tokens as unknown as ScimTokenLookupRepository, redis, config);
    verifier.onModuleInit();
  };
  /** The subscription comes up (subscribe resolves on a later tick). */
  const connect = async () => {
    subscriber.emit('ready');
    await new Promise((r) => setImmediate(r));
  };

  beforeEach(() => make());
  afterEach(() => verifier.onApplicationShutdown());

  it('subscribes to the three revocation channels on every (re)connection', async () => {
    await connect();
    expect(subscriber.subscribe).toHaveBeenCalledWith(
      scimTokenRevokedChannel(PREFIX),
      tenantDisabledChannel(PREFIX),
      identityProviderDisabledChannel(PREFIX),
    );
  });

  it('answers a known token with its principal and an unknown one with nothing', async () => {
    const a = tokens.add('a');
    await connect();
    await expect(verifier.authenticate('a')).resolves.toEqual(a);
    await expect(verifier.authenticate('nope')).resolves.toBeUndefined();
  });

  it('refuses an expired token even from the cache', async () => {
    await connect();
    tokens.add('old', { expiresAt: Date.now() - 1 });
    await expect(verifier.authenticate('old')).resolves.toBeUndefined();
    const soon = tokens.add('soon', { expiresAt: Date.now() + 50 });
    await expect(verifier.authenticate('soon')).resolves.toEqual(soon);
    await new Promise((r) => setTimeout(r, 60));
    await expect(verifier.authenticate('soon')).resolves.toBeUndefined();
  });

  it('caches hits only while subscribed', async () => {
    tokens.add('a');
    await verifier.authenticate('a');
    await verifier.authenticate('a');
    expect(tokens.lookups).toBe(2); // not subscribed yet: every request asks PostgreSQL
    await connect();
    await verifier.authenticate('a');
    await verifier.authenticate('a');
    expect(tokens.lookups).toBe(3);
  });

  it('looks again once the cache entry is older than SCIM_TOKEN_CACHE_TTL_MS', async () => {
    make(20);
    tokens.add('a');
    await connect();
    await verifier.authenticate('a');
    await verifier.authenticate('a');
    expect(tokens.lookups).toBe(1);
    await new Promise((r) => setTimeout(r, 30));
    await verifier.authenticate('a');
    expect(tokens.lookups).toBe(2);
  });

  it('does not cache an unknown token (it may be issued a moment later)', async () => {
    await connect();
    await expect(verifier.authenticate('later')).resolves.toBeUndefined();
    const later = tokens.add('later');
    await expect(verifier.authenticate('later')).resolves.toEqual(later);
  });

  it.each([
    ['a revoked token', scimTokenRevokedChannel(PREFIX), (p: ScimPrincipal) => p.tokenId],
    ['a disabled tenant', tenantDisabledChannel(PREFIX), (p: ScimPrincipal) => p.tenantId],
    [
      'a disabled identity provider',
      identityProviderDisabledChannel(PREFIX),
      (p: ScimPrincipal) => p.identityProviderId,
    ],
  ])('drops the cached entries of %s at once, and only those', async (_what, channel, idOf) => {
    const a = tokens.add('a');
    tokens.add('b');
    await connect();
    await verifier.authenticate('a');
    await verifier.authenticate('b');
    expect(tokens.lookups).toBe(2);
    tokens.rows.delete(digestBearerSecret('a')); // IAM changed the row, then announced it
    subscriber.emit('message', channel, idOf(a));
    await expect(verifier.authenticate('a')).resolves.toBeUndefined();
    await verifier.authenticate('b');
    expect(tokens.lookups).toBe(3); // b still came from the cache
  });

  it('does not cache a lookup that was under way when an announcement arrived', async () => {
    const a = tokens.add('a');
    await connect();
    let release!: () => void;
    tokens.gate = new Promise((r) => (release = r));
    const racing = verifier.authenticate('a');
    await new Promise((r) => setImmediate(r)); // the lookup has read the row…
    subscriber.emit('message', scimTokenRevokedChannel(PREFIX), a.tokenId); // …then the revocation
    release();
    await racing; // answered from what it read, but not remembered
    tokens.gate = undefined;
    tokens.rows.clear();
    await expect(verifier.authenticate('a')).resolves.toBeUndefined();
    expect(tokens.lookups).toBe(2);
  });

  it('trusts nothing cached once the subscription drops, nor after it comes back', async () => {
    tokens.add('a');
    await connect();
    await verifier.authenticate('a');
    subscriber.emit('close');
    tokens.rows.clear(); // revoked while this gateway could not hear it
    await expect(verifier.authenticate('a')).resolves.toBeUndefined();
    await connect();
    await expect(verifier.authenticate('a')).resolves.toBeUndefined();
  });

  it('writes lastUsedAt in one batch per flush, each token once, and keeps the batch when the write fails', async () => {
    const a = tokens.add('a');
    const b = tokens.add('b');
    await connect();
    await verifier.authenticate('a');
    await verifier.authenticate('a');
    await verifier.authenticate('b');
    await verifier.authenticate('unknown');
    tokens.failRecordUse = true;
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    await verifier.flushLastUsed();
    expect(tokens.used).toEqual([]);
    expect(warn).toHaveBeenCalledWith(expect.anything(), 'could not record SCIM token use; will retry');
    warn.mockRestore();
    tokens.failRecordUse = false;
    await verifier.flushLastUsed();
    expect(tokens.used).toEqual([[a.tokenId, b.tokenId]]);
    await verifier.flushLastUsed();
    expect(tokens.used).toHaveLength(1); // nothing used since: no UPDATE
  });
});
