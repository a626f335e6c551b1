import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { cookieValue, digestBearerSecret, REDIS_CLIENT } from '@app/platform';
import { IamAdminConfig } from '../config/iam-admin.config';

/** How long a dashboard session lasts: a browser page cannot send the admin bearer token itself. */
export const QUEUE_DASHBOARD_SESSION_SECONDS = 900;
export const QUEUE_DASHBOARD_COOKIE = 'iam_queue_dashboard';

/**
 * Short-lived dashboard sessions opened with a platform admin token. Kept in Redis by digest (the
 * cookie value itself is stored nowhere), so every IAM instance behind a load balancer accepts them.
 */
@Injectable()
export class QueueDashboardSessions {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly config: IamAdminConfig,
  ) {}

  async open(): Promise<{ secret: string; expiresAt: Date }> {
    const secret = randomBytes(32).toString('base64url');
    await this.redis.set(this.key(secret), '1', 'EX', QUEUE_DASHBOARD_SESSION_SECONDS);
    return { secret, expiresAt: new Date(Date.now() + QUEUE_DASHBOARD_SESSION_SECONDS * 1000) };
  }

  async isOpen(secret: string | undefined): Promise<boolean> {
    return secret !== undefined && (await this.redis.exists(this.key(secret))) === 1;
  }

  private key(secret: string): string {
    return `${this.config.QUEUE_PREFIX}:queue-dashboard:session:${digestBearerSecret(secret)}`;
  }
}

/** The dashboard cookie's value from a Cookie header. */
export const dashboardCookie = (header: string | undefined): string | undefined =>
  cookieValue(header, QUEUE_DASHBOARD_COOKIE);
