import { HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import Redis from 'ioredis';
import { REDIS_CLIENT } from '@app/platform';
import { IamAdminConfig } from '../config/iam-admin.config';
import { LoginFlow } from './login-flow';

/** What a login remembers between the redirect to Entra and the way back. */
export interface LoginState {
  tenantId: string;
  scheme: string;
  redirectUri: string;
  flow: LoginFlow;
  nonce: string;
  /** web: IAM's own PKCE verifier (when the provider uses PKCE). */
  codeVerifier?: string;
  /** app: the S256 challenge the app sent; its redemption must bring the matching verifier. */
  codeChallenge?: string;
  /** web: SHA-256 of the cookie the starting browser got; the callback must bring that cookie. */
  browserBinding?: string;
}

/**
 * Saves a state only while its provider and the starting address have room: each keeps a sorted
 * set of its pending states scored by expiry (expired ones dropped first). Answers 0 when saved,
 * 1 when the provider is full, 2 when the address is full. One script, so concurrent starts
 * cannot both take the last place.
 * KEYS: state, provider set, address set. ARGV: value, ttl s, now ms, provider max, address max, state.
 */
const SAVE_WITHIN_BOUNDS = `
local now = tonumber(ARGV[3])
local ttl = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
if tonumber(ARGV[4]) > 0 and redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[4]) then return 1 end
if tonumber(ARGV[5]) > 0 and redis.call('ZCARD', KEYS[3]) >= tonumber(ARGV[5]) then return 2 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ttl)
for i = 2, 3 do
  redis.call('ZADD', KEYS[i], now + ttl * 1000, ARGV[6])
  redis.call('PEXPIRE', KEYS[i], ttl * 1000)
end
return 0`;

/**
 * Pending logins in Redis, keyed by `state`, for a few minutes. A redemption reads the state,
 * checks what it requires (endpoint, PKCE verifier, browser), and only then takes it (GETDEL,
 * once): a request that fails those checks leaves the login for the one who can finish it.
 *
 * Starting a sign-in is public, so the store is bounded: at most LOGIN_PENDING_PER_PROVIDER
 * pending states per tenant's provider and LOGIN_PENDING_PER_ADDRESS per client address (both
 * counted over the states' lifetime); beyond, the start is refused (503 for the provider, 429 for
 * the address) and nothing is stored. Only a digest of the address is kept.
 */
@Injectable()
export class LoginStateStore {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly config: IamAdminConfig,
  ) {}

  /** Stores a started login, or refuses it when its provider or its address has too many pending. */
  async save(state: string, value: LoginState, clientAddress: string): Promise<void> {
    const ttl = this.config.LOGIN_STATE_TTL_SECONDS;
    const answer = await this.redis.eval(
      SAVE_WITHIN_BOUNDS,
      3,
      this.key(state),
      this.providerKey(value),
      `${this.config.QUEUE_PREFIX}:login-pending:address:${createHash('sha256').update(clientAddress).digest('base64url')}`,
      JSON.stringify(value),
      ttl,
      Date.now(),
      this.config.LOGIN_PENDING_PER_PROVIDER,
      this.config.LOGIN_PENDING_PER_ADDRESS,
      state,
    );
    if (answer === 1)
      throw new HttpException(
        `too many sign-ins in progress for this provider; retry in a few minutes`,
        HttpStatus.SERVICE_UNAVAILABLE,
      );
    if (answer === 2)
      throw new HttpException(
        `too many sign-ins in progress from this address; finish one or retry in a few minutes`,
        HttpStatus.TOO_MANY_REQUESTS,
      );
  }

  async peek(state: string): Promise<LoginState | undefined> {
    return parsed(await this.redis.get(this.key(state)));
  }

  /** The state, removed: undefined when it is gone (expired, or taken by a concurrent redemption). */
  async take(state: string): Promise<LoginState | undefined> {
    const taken = parsed(await this.redis.getdel(this.key(state)));
    // A finished login frees its provider's place at once (the address's frees when it would have expired).
    if (taken) await this.redis.zrem(this.providerKey(taken), state);
    return taken;
  }

  private providerKey(value: LoginState): string {
    return `${this.config.QUEUE_PREFIX}:login-pending:provider:${value.tenantId}:${value.scheme}`;
  }

  private key(state: string): string {
    return `${this.config.QUEUE_PREFIX}:login-state:${state}`;
  }
}

function parsed(raw: string | null): LoginState | undefined {
  return raw ? (JSON.parse(raw) as LoginState) : undefined;
}
