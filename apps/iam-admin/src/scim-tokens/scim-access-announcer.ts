import { Inject, Injectable, Logger, Module } from '@nestjs/common';
import Redis from 'ioredis';
import {
  identityProviderDisabledChannel,
  scimTokenRevokedChannel,
  tenantDisabledChannel,
} from '@app/contracts';
import { REDIS_CLIENT, withTimeLimit } from '@app/platform';
import { IamAdminConfig } from '../config/iam-admin.config';

/** How long a revoke waits for Redis before answering anyway. */
const PUBLISH_TIMEOUT_MS = 1000;
/** Retries of a failed announcement, doubling from the first delay (about a minute in all). */
const RETRY_FIRST_MS = 500;
const RETRY_ATTEMPTS = 7;

/**
 * Tells the SCIM gateways that access ended (a SCIM token revoked, a tenant or identity provider
 * disabled) so they drop what they cached. The database change is already committed and every
 * gateway lookup sees it, so a failed announcement never fails the request: it is logged and
 * retried in the background. A gateway that lost its Redis subscription trusts no cache meanwhile.
 */
@Injectable()
export class ScimAccessAnnouncer {
  private readonly logger = new Logger(ScimAccessAnnouncer.name);

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly config: IamAdminConfig,
  ) {}

  scimTokenRevoked(tokenId: string): Promise<void> {
    return this.announce(scimTokenRevokedChannel(this.config.QUEUE_PREFIX), tokenId);
  }

  tenantDisabled(tenantId: string): Promise<void> {
    return this.announce(tenantDisabledChannel(this.config.QUEUE_PREFIX), tenantId);
  }

  identityProviderDisabled(providerId: string): Promise<void> {
    return this.announce(identityProviderDisabledChannel(this.config.QUEUE_PREFIX), providerId);
  }

  private async announce(channel: string, id: string, attempt = 0): Promise<void> {
    try {
      await this.publish(channel, id);
    } catch (error) {
      const retrying = attempt + 1 < RETRY_ATTEMPTS;
      this.logger.warn(
        { channel, id, attempt: attempt + 1, retrying, err: (error as Error).message },
        'could not announce the end of SCIM access to the gateways',
      );
      if (retrying) {
        setTimeout(() => void this.announce(channel, id, attempt + 1), RETRY_FIRST_MS * 2 ** attempt).unref();
      }
    }
  }

  private publish(channel: string, id: string): Promise<unknown> {
    return withTimeLimit(this.redis.publish(channel, id), PUBLISH_TIMEOUT_MS, 'Redis PUBLISH');
  }
}

@Module({ providers: [ScimAccessAnnouncer], exports: [ScimAccessAnnouncer] })
export class ScimAccessAnnouncerModule {}
