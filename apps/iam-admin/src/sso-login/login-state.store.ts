import { Inject, Injectable } from '@nestjs/common';
import Redis from 'ioredis';
import { REDIS_CLIENT } from '@app/platform';
import { IamAdminConfig } from '../config/iam-admin.config';

/** What a login remembers between the redirect to Entra and the way back. */
export interface LoginState {
  tenantId: string;
  scheme: string;
  redirectUri: string;
  nonce: string;
  codeVerifier?: string;
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
