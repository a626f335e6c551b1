/**
 * Queue names shared by the two services. The SCIM gateway produces provisioning commands,
 * the IAM admin service consumes them. Values are kebab-case and part of the wire contract:
 * renaming one strands the jobs already in Redis.
 */
export enum QueueName {
  ProvisioningCommands = 'provisioning-commands',
}

/** Queue of IAM's own: one job per (webhook subscription, subject-change event) delivery. */
export const WEBHOOK_DELIVERIES_QUEUE = 'webhook-deliveries';

export interface WebhookDeliveryJob {
  subscriptionId: string;
  tenantId: string;
  /** The subject-change event, delivered as the request body. */
  event: Record<string, unknown> & { id: string; type: string };
}
