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
}

/** Pending logins in Redis, keyed by `state`, usable once (GETDEL) and only for a few minutes. */
@Injectable()
export class LoginStateStore {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly config: IamAdminConfig,
  ) {}

  async save(state: string, value: LoginState): Promise<void> {
    await this.redis.set(this.key(state), JSON.stringify(value), 'EX', this.config.LOGIN_STATE_TTL_SECONDS);
  }

  async take(state: string): Promise<LoginState | undefined> {
    const raw = await this.redis.getdel(this.key(state));
    return raw ? (JSON.parse(raw) as LoginState) : undefined;
  }

  private key(state: string): string {
    return `${this.config.QUEUE_PREFIX}:login-state:${state}`;
  }
}
