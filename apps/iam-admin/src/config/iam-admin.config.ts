import { parseBoolean, ServiceConfig } from '@app/platform';
import { Transform, Type } from 'class-transformer';
import { parseDnsServers } from '../domains/dns-servers';

import {
  IsBoolean,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateBy,
  ValidateIf,
} from 'class-validator';

/** Every environment variable the IAM admin service reads; `.env.example` lists them with defaults. */
export class IamAdminConfig extends ServiceConfig {
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(65535)
  IAM_PORT = 3000;

  /** Base64 of 32 random bytes: encrypts client secrets at rest. Required (or IAM_SECRET_KEYS); no default on purpose. */
  @ValidateIf((c: IamAdminConfig) => c.IAM_SECRET_KEYS === undefined || c.IAM_SECRET_KEY !== undefined)
  @Matches(/^[A-Za-z0-9+/]{43}=$/, { message: 'IAM_SECRET_KEY must be base64 of exactly 32 bytes' })
  IAM_SECRET_KEY?: string;

  /** Keys for rotation, `id:base64,*id:base64` (`*` marks the key that seals new secrets); see crypto/secret-keys.ts. */
  @IsOptional()
  @Matches(
    /^\s*\*?[A-Za-z0-9_-]{1,32}:[A-Za-z0-9+/]{43}=\s*(,\s*\*?[A-Za-z0-9_-]{1,32}:[A-Za-z0-9+/]{43}=\s*)*$/,
    {
      message:
        'IAM_SECRET_KEYS must be comma-separated <id>:<base64 of 32 bytes>, the current one marked *<id>:…',
    },
  )
  IAM_SECRET_KEYS?: string;

  /** Used once, on the first start of an empty installation; otherwise one is generated and printed. */
  @IsOptional()
  @IsString()
  @MinLength(32)
  @Matches(/^iamadm_[A-Za-z0-9_-]+$/, {
    message:
      'IAM_BOOTSTRAP_ADMIN_TOKEN must be iamadm_ followed by base64url characters (a token without the iamadm_ prefix would never authenticate); or leave it unset and one is generated',
  })
  IAM_BOOTSTRAP_ADMIN_TOKEN?: string;

  /** JWT access tokens from an external issuer are accepted when this is set. */
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true })
  IAM_JWT_ISSUER?: string;

  @ValidateIf((c: IamAdminConfig) => c.IAM_JWT_ISSUER !== undefined)
  @IsString()
  @Matches(/\S/, {
    message:
      'IAM_JWT_AUDIENCE must name this API when IAM_JWT_ISSUER is set (empty would accept any audience)',
  })
  IAM_JWT_AUDIENCE?: string;

  /** Defaults to the `jwks_uri` of the issuer's OpenID discovery document. */
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true })
  IAM_JWT_JWKS_URI?: string;

  @IsString()
  IAM_JWT_PERMISSIONS_CLAIM = 'permissions';

  @IsString()
  IAM_JWT_TENANT_CLAIM = 'tenant_id';

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(3650)
  SCIM_TOKEN_DEFAULT_TTL_DAYS = 365;

  /** Public base URL of this service: the issuer of IAM access tokens. Defaults to http://127.0.0.1:IAM_PORT. */
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true })
  IAM_PUBLIC_URL?: string;

  /**
   * Lifetime of an IAM access token issued after an SSO login. Short on purpose: services that verify
   * tokens offline learn of a deactivation from the subject-change stream, and of nothing else sooner.
   */
  @Type(() => Number)
  @IsInt()
  @Min(60)
  IAM_TOKEN_TTL_SECONDS = 900;

  /** The `aud` of IAM access tokens: what internal services require when they verify one. */
  @IsString()
  @MinLength(1)
  IAM_TOKEN_AUDIENCE = 'platform';

  /** How long a started login may take before its state expires. */
  @Type(() => Number)
  @IsInt()
  @Min(30)
  LOGIN_STATE_TTL_SECONDS = 600;

  /**
   * Sign-ins started and not finished (within LOGIN_STATE_TTL_SECONDS) one tenant's provider may
   * have; more starts are refused 503, so unauthenticated requests cannot fill Redis. 0 = no limit.
   */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  LOGIN_PENDING_PER_PROVIDER = 20000;

  /** Sign-ins started (within LOGIN_STATE_TTL_SECONDS) from one client address; more are refused 429. 0 = no limit. */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  LOGIN_PENDING_PER_ADDRESS = 1000;

  /** Provisioning outcomes (each SCIM command's recorded answer) are deleted after this many days; 0 = kept. */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  RETENTION_PROVISIONING_DAYS = 30;

  /** Outbox events are deleted this many days after they were published (never before); 0 = kept. */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  RETENTION_EVENTS_DAYS = 7;

  /** Provisioning audit log entries (they name users) are deleted after this many days; 0 = kept. */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  RETENTION_AUDIT_DAYS = 90;

  /** Webhook dead letters (they keep the undelivered event, personal data) are deleted this many days after they failed; 0 = kept. */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  RETENTION_DEAD_LETTERS_DAYS = 30;

  /** How often the retention job runs (one instance at a time); 0 = never. */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  RETENTION_INTERVAL_MS = 3_600_000;

  /** Rows each retention DELETE removes at most. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  RETENTION_BATCH_SIZE = 1000;

  /**
   * After a provider's OpenID discovery failed, sign-ins through it answer that failure again for
   * this long before IAM asks the authority again (an unauthenticated sign-in start must not make
   * IAM probe an address on every request). Saving the provider retries at once.
   */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  OIDC_DISCOVERY_RETRY_SECONDS = 5;

  /**
   * Public base URL of the SCIM gateway, for the connector details a customer copies into Entra
   * (`{SCIM_PUBLIC_URL}/{tenantId}/api/scim/v2`). The default is the gateway's default port here.
   */
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
  SCIM_PUBLIC_URL = 'http://127.0.0.1:3001';

  /**
   * DNS resolvers for domain verification (TXT lookups): comma-separated `host[:port]` with IP
   * hosts, IPv6 as `[::1]:53`. Unset: the system's resolvers.
   */
  @IsOptional()
  @ValidateBy(
    {
      name: 'dnsServers',
      validator: { validate: (value) => typeof value === 'string' && parseDnsServers(value) !== undefined },
    },
    {
      message: 'IAM_DNS_SERVERS must be comma-separated IP[:port] entries, IPv6 as [::1]:53',
    },
  )
  IAM_DNS_SERVERS?: string;

  /** A domain verification's DNS lookup gives up after this long (in all, whatever the servers). */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(60000)
  IAM_DNS_TIMEOUT_MS = 5000;

  /** Deliver subject-change events to webhook subscriptions from this instance. */
  @Transform(({ obj }: { obj: Record<string, unknown> }) => parseBoolean(obj.WEBHOOKS_ENABLED, true))
  @IsBoolean()
  WEBHOOKS_ENABLED = true;

  /**
   * Keep each tenant's provisioning settings and webhook subscriptions in memory, dropped on every
   * change any instance commits (PostgreSQL LISTEN/NOTIFY); false: every read goes to the database.
   */
  @Transform(({ obj }: { obj: Record<string, unknown> }) => parseBoolean(obj.IAM_TENANT_CONFIG_CACHE, true))
  @IsBoolean()
  IAM_TENANT_CONFIG_CACHE = true;

  /** The queue dashboard (/queues) only looks; false lets platform admins retry, remove and clean jobs there. */
  @Transform(({ obj }: { obj: Record<string, unknown> }) => parseBoolean(obj.QUEUE_DASHBOARD_READ_ONLY, true))
  @IsBoolean()
  QUEUE_DASHBOARD_READ_ONLY = true;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(30)
  WEBHOOK_ATTEMPTS = 8;

  /** First retry delay; doubles each attempt. */
  @Type(() => Number)
  @IsInt()
  @Min(10)
  WEBHOOK_BACKOFF_MS = 1000;

  @Type(() => Number)
  @IsInt()
  @Min(100)
  WEBHOOK_TIMEOUT_MS = 5000;

  /**
   * Deliveries of one tenant in flight at once in this instance (of the worker's 32): a tenant whose
   * receiver hangs holds at most this many, and its other deliveries wait without delaying other tenants.
   */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(32)
  WEBHOOK_TENANT_CONCURRENCY = 4;

  /** Delivery attempts kept per webhook for GET /v1/webhooks/{id}/deliveries (older ones are deleted as new ones come). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10000)
  WEBHOOK_DELIVERY_HISTORY = 100;

  /** Provisioning commands applied at once by this instance (each in its own transaction). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  PROVISIONING_CONCURRENCY = 16;

  /**
   * Group commit: up to this many commands waiting in this instance are applied in one transaction
   * (a savepoint each), so one commit serves them all; 1 = a transaction per command.
   */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(64)
  PROVISIONING_GROUP_COMMIT_MAX = 32;

  /** Group-commit transactions open at once in this instance (commands gather while they run). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  PROVISIONING_GROUP_COMMIT_TRANSACTIONS = 2;

  /** How long a worker's claim on a command lasts without renewal (a crashed worker's commands return after it). */
  @Type(() => Number)
  @IsInt()
  @Min(1000)
  PROVISIONING_LOCK_MS = 30000;

  /** How often workers look for commands whose worker died. */
  @Type(() => Number)
  @IsInt()
  @Min(500)
  PROVISIONING_STALLED_CHECK_MS = 30000;

  /**
   * Tries before a command failing for a reason that is neither a refusal nor a database fault is
   * set aside as a dead letter (/v1/provisioning/dead-letters) and answered with a final 500.
   */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(25)
  PROVISIONING_POISON_ATTEMPTS = 3;

  /** Run the outbox relay in this instance (one instance relays at a time, whatever this says). */
  @Transform(({ obj }: { obj: Record<string, unknown> }) => parseBoolean(obj.EVENTS_RELAY_ENABLED, true))
  @IsBoolean()
  EVENTS_RELAY_ENABLED = true;

  /** How often the relay looks for events when nothing woke it. */
  @Type(() => Number)
  @IsInt()
  @Min(10)
  EVENTS_RELAY_POLL_MS = 200;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10000)
  EVENTS_RELAY_BATCH = 500;

  /** After a partial batch, how long the relay lets new events gather (latency traded for fewer round trips). */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  EVENTS_RELAY_COALESCE_MS = 20;

  /** Approximate number of events the stream keeps for consumers to replay (older ones are trimmed). */
  @Type(() => Number)
  @IsInt()
  @Min(1000)
  EVENTS_STREAM_MAX_LENGTH = 1_000_000;

  /**
   * How often the relay records in PostgreSQL how far every consumer group acknowledged (the point
   * it republishes from if Redis loses the stream). Shorter: fewer duplicates after a loss.
   */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  EVENTS_ACKNOWLEDGED_CHECK_MS = 2000;

  /**
   * Webhooks and OpenID Providers on loopback (local development and tests). Tenant-chosen URLs
   * never reach loopback otherwise; refused in production.
   */
  @Transform(({ obj }: { obj: Record<string, unknown> }) => parseBoolean(obj.OUTBOUND_ALLOW_LOOPBACK, false))
  @IsBoolean()
  @ValidateBy({
    name: 'notInProduction',
    validator: {
      validate: (value, args) =>
        !(value === true && (args?.object as IamAdminConfig).NODE_ENV === 'production'),
      defaultMessage: () => 'OUTBOUND_ALLOW_LOOPBACK cannot be true in production',
    },
  })
  OUTBOUND_ALLOW_LOOPBACK = false;

  /** Private networks (comma-separated CIDRs) webhooks may reach, e.g. an internal receiver at 10.20.0.0/16. */
  @IsOptional()
  @Matches(/^(\s*[0-9A-Fa-f.:]+(\/\d{1,3})?\s*(,\s*[0-9A-Fa-f.:]+(\/\d{1,3})?\s*)*)?$/, {
    message: 'OUTBOUND_ALLOWED_NETWORKS must be comma-separated addresses or CIDRs',
  })
  OUTBOUND_ALLOWED_NETWORKS?: string;

  /** Requests per minute per client address on the public sign-in endpoints, then 429 + Retry-After; 0 = no limit. */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  LOGIN_RATE_LIMIT_PER_IP = 600;

  /** Hours a built-in sign-in invitation (the one-time token to set a password) stays valid. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(24 * 90)
  IAM_INVITATION_TTL_HOURS = 72;

  /** Failed password sign-ins in a row before the account is locked (30 s, doubling with each further failure, at most 15 min). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  IAM_PASSWORD_MAX_FAILURES = 5;
}

/** IAM's public base URL (IAM_PUBLIC_URL, else this process on loopback): token issuer, callbacks, invitation links. */
export const iamPublicUrl = (config: Pick<IamAdminConfig, 'IAM_PUBLIC_URL' | 'IAM_PORT'>): string =>
  config.IAM_PUBLIC_URL ?? `http://127.0.0.1:${config.IAM_PORT}`;
