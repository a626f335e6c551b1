import { randomUUID } from 'node:crypto';
import { isWebhookDeliveryJob, webhookDeliveryJobProblems } from './queues.validation';

const tenantId = randomUUID();
const job = () => ({
  subscriptionId: randomUUID(),
  tenantId,
  event: { id: randomUUID(), type: 'subject.created', tenantId, state: null },
});

describe('webhook delivery jobs are checked before delivery', () => {
  it('accepts what the dispatcher enqueues', () => {
    expect(webhookDeliveryJobProblems(job())).toEqual([]);
    expect(isWebhookDeliveryJob(job())).toBe(true);
  });

  it.each([
    ['a subscription id that is not a UUID', { ...job(), subscriptionId: 'x' }, 'subscriptionId'],
    ['an event that is not an object', { ...job(), event: 'boom' }, 'event must be an object'],
    ['an event without an id', { ...job(), event: { ...job().event, id: undefined } }, 'event.id'],
    ['an unknown event type', { ...job(), event: { ...job().event, type: 'tenant.deleted' } }, 'event.type'],
    [
      "an event of another tenant than the job's",
      { ...job(), event: { ...job().event, tenantId: randomUUID() } },
      'event.tenantId',
    ],
  ])('refuses %s', (_, data, problem) => {
    expect(webhookDeliveryJobProblems(data).join('; ')).toContain(problem);
    expect(isWebhookDeliveryJob(data)).toBe(false);
  });

  it('refuses data that is not an object', () => {
    expect(isWebhookDeliveryJob(null)).toBe(false);
    expect(isWebhookDeliveryJob([job()])).toBe(false);
  });
});
