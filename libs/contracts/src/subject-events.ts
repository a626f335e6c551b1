import type { TraceContextFields } from './trace-context';

/**
 * Subject-change events: what internal services (billing, access control, notifications) learn
 * about every change IAM makes to subjects, groups and memberships. Versioned; additive changes
 * keep the version, anything else gets a new `specVersion` and a new stream.
 */
export const SUBJECT_EVENTS_SPEC_VERSION = 1;

/** The Redis Stream the outbox relay publishes to; every consumer group on it sees every event. */
export const subjectEventsStream = (queuePrefix: string): string => `${queuePrefix}:subject-events:v1`;

/**
 * A sorted set of IAM's own: work started from an acknowledged stream entry but not finished yet
 * (a webhook delivery), scored by the entry's outbox position. The relay's acknowledged point never
 * passes the lowest one, so a Redis that loses the work also gets it republished.
 */
export const subjectEventsHolds = (queuePrefix: string): string => `${queuePrefix}:subject-events:v1:holds`;

export enum SubjectEventType {
  SubjectCreated = 'subject.created',
  SubjectUpdated = 'subject.updated',
  SubjectDeactivated = 'subject.deactivated',
  SubjectReactivated = 'subject.reactivated',
  SubjectDeleted = 'subject.deleted',
  SubjectAddedToGroup = 'subject.added-to-group',
  SubjectRemovedFromGroup = 'subject.removed-from-group',
  GroupCreated = 'group.created',
  GroupUpdated = 'group.updated',
  GroupDeleted = 'group.deleted',
  /** A sign-in linked the subject to an Entra object id (`identity`); later sign-ins must carry that oid. */
  SubjectIdentityBound = 'subject.identity-bound',
  /** One session (IAM access token `jti` = `sessionId`) was logged out: refuse that token from now on. */
  SubjectSessionRevoked = 'subject.session-revoked',
  /**
   * An operator saved or removed the tenant's provisioning settings (`provider` set for one identity
   * provider's override): how new SCIM writes will be judged. Keyed and sequenced by the tenant;
   * `state` holds the settings now in force for that scope (null once removed), `changedAttributes` the fields.
   */
  TenantProvisioningSettingsChanged = 'tenant.provisioning-settings-changed',
}

export type SubjectEventSource = 'scim' | 'admin' | 'sso-jit' | 'sso-login';

/**
 * `traceparent`/`tracestate` (optional, the CloudEvents distributed-tracing extension): the trace of
 * the change that caused the event, so a consumer's work joins it. Consumers must treat them as
 * input and ignore malformed ones (`isTraceparent`).
 */
export interface SubjectEvent extends TraceContextFields {
  specVersion: typeof SUBJECT_EVENTS_SPEC_VERSION;
  /** Unique; consumers de-duplicate on it (delivery is at-least-once). */
  id: string;
  type: SubjectEventType;
  tenantId: string;
  /** Set for subject.* events. */
  subjectId?: string;
  /** Set for group.* and membership events. */
  groupId?: string;
  /** When the change committed (ISO 8601). */
  occurredAt: string;
  source: SubjectEventSource;
  /** Strictly increasing per subject (subject.* events), per group (group.* events) or per tenant (tenant.* events). */
  sequence: number;
  /** For *.updated: the top-level attributes that changed. */
  changedAttributes?: string[];
  /** subject.identity-bound: the provider scheme, the Entra object id, and what the subject was found by. */
  identity?: { provider: string; oid: string; matchedBy: 'externalId' | 'userName' };
  /** tenant.provisioning-settings-changed: the provider scheme of an override, null for the tenant's own settings. */
  provider?: string | null;
  /** subject.session-revoked: the `jti` of the IAM access token that was logged out. */
  sessionId?: string;
  /** The subject's or group's state after the change (SCIM document, no secrets); null after a delete. */
  state: Record<string, unknown> | null;
  /*
   * subject.* events whose state is the subject's (not membership events, not subject.deleted): the
   * subject's tenant-policy facts after the change, as IAM decided them.
   */
  /** What it may use: the app always, the web portal with any role. */
  access?: { app: boolean; portal: boolean };
  /** Canonical roles: ReadOnly, User, Admin, EnterpriseAdmin. */
  roles?: string[];
  /** Premium or Standard; null when it has none. */
  userType?: string | null;
  /** Ids of the tenant's folders it has access to (the resolved SCIM folder values). */
  folders?: string[];
  /** Its metadata (`urn:…:Metadata:{key}` values), key → string. */
  metadata?: Record<string, string>;
  /** 'scim' when a SCIM command created or last updated it (Entra owns its account attributes); else null. */
  managedBy?: string | null;
}
