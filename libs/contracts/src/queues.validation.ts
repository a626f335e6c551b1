import { isPlainObject, isUuid, PayloadProblems } from './payload-checks';
import { WebhookDeliveryJob } from './queues';
import { SubjectEventType } from './subject-events';

const EVENT_TYPES = new Set<string>(Object.values(SubjectEventType));

/**
 * Everything wrong with a webhook delivery job (empty: nothing). A job from Redis is input: one
 * that does not name a subscription and tenant by UUID and carry an event with an id and a known
 * type is never delivered, so a forged job cannot make IAM sign and send a body of its choosing
 * to anyone but a subscription's own receiver with that subscription's own event shape.
 */
export function webhookDeliveryJobProblems(data: unknown): string[] {
  if (!isPlainObject(data)) return ['the job data is not an object'];
  const p = new PayloadProblems(data);
  p.uuid('subscriptionId');
  p.uuid('tenantId');
  const event = data.event;
  if (!isPlainObject(event)) {
    p.add('event must be an object');
  } else {
    if (!isUuid(event.id)) p.add('event.id must be a UUID');
    if (typeof event.type !== 'string' || !EVENT_TYPES.has(event.type)) {
      p.add('event.type must be a subject-event type');
    }
    if (event.tenantId !== data.tenantId) p.add("event.tenantId must be the job's tenantId");
  }
  return p.list;
}

export function isWebhookDeliveryJob(data: unknown): data is WebhookDeliveryJob {
  return webhookDeliveryJobProblems(data).length === 0;
}
