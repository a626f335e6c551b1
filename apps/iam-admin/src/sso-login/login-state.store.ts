import { Inject, Injectable } from '@nestjs/common';
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
 * Pending logins in Redis, keyed by `state`, for a few minutes. A redemption reads the state,
 * checks what it requires (endpoint, PKCE verifier, browser), and only then takes it (GETDEL,
 * once): a request that fails those checks leaves the login for the one who can finish it.
 */
@Injectable()
export class LoginStateStore {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly config: IamAdminConfig,
  ) {}

  async save(state: string, value: LoginState): Promise<void> {
    await this.redis.set(this.key(state), JSON.stringify(value), 'EX', this.config.LOGIN_STATE_TTL_SECONDS);
  }

  async peek(state: string): Promise<LoginState | undefined> {
    return parsed(await this.redis.get(this.key(state)));
  }

  /** The state, removed: undefined when it is gone (expired, or taken by a concurrent redemption). */
  async take(state: string): Promise<LoginState | undefined> {
    return parsed(await this.redis.getdel(this.key(state)));
  }

  private key(state: string): string {
    return `${this.config.QUEUE_PREFIX}:login-state:${state}`;
  }
}

function parsed(raw: string | null): LoginState | undefined {
  return raw ? (JSON.parse(raw) as LoginState) : undefined;
}
