import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { JobsOptions, Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { SubjectEvent, WEBHOOK_DELIVERIES_QUEUE, WebhookDeliveryJob } from '@app/contracts';
import { StreamEntryRef, SubjectEventConsumer } from '@app/events';
import { IamAdminConfig } from '../config/iam-admin.config';
import { SubjectEventsStream } from '../events/subject-events.stream';
import {
  TenantConfigCacheService,
  TenantConfigReader,
} from '../tenant-config-cache/tenant-config-cache.service';
import { Subscription, WebhooksRepository } from './webhooks.repository';

/** What dispatching needs of a subscription (not its sealed secret: the sender reads the row). */
type DispatchTarget = Pick<Subscription, 'id' | 'eventTypes'>;

/**
 * Reads the subject-change stream like any internal consumer (its own consumer group, shared by all
 * IAM instances) and turns each event into one delivery job per matching subscription of its tenant.
 * The job id is subscription + event id, so a re-read event is not delivered twice. Each job holds
 * its event's outbox position until it is delivered or dead-lettered, so if Redis loses the queue
 * the relay republishes that event and the delivery is queued again.
 */
export const deliveryJobId = (subscriptionId: string, eventId: string): string =>
  `${subscriptionId}_${eventId}`;

/** A delivery job of one event to one subscription: its id, attempts, back-off and how long BullMQ keeps it. */
export function deliveryJob(
  config: Pick<IamAdminConfig, 'WEBHOOK_ATTEMPTS' | 'WEBHOOK_BACKOFF_MS'>,
  data: WebhookDeliveryJob,
): { name: string; data: WebhookDeliveryJob; opts: JobsOptions } {
  return {
    name: data.event.type,
    data,
    opts: {
      jobId: deliveryJobId(data.subscriptionId, data.event.id),
      attempts: config.WEBHOOK_ATTEMPTS,
      backoff: { type: 'exponential', delay: config.WEBHOOK_BACKOFF_MS },
      removeOnComplete: { age: 3600, count: 10_000 },
      removeOnFail: { age: 24 * 3600 },
    },
  };
}

@Injectable()
export class WebhookDispatcherService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WebhookDispatcherService.name);
  private consumer?: SubjectEventConsumer;
  /** Each tenant's subscriptions, kept in memory: read for every event, changed rarely. */
  private readonly subscriptions: TenantConfigReader<DispatchTarget[]>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    webhooks: WebhooksRepository,
    @InjectQueue(WEBHOOK_DELIVERIES_QUEUE) private readonly deliveries: Queue<WebhookDeliveryJob>,
    private readonly stream: SubjectEventsStream,
    private readonly config: IamAdminConfig,
    cache: TenantConfigCacheService,
  ) {
    this.subscriptions = cache.cache('webhook-subscriptions', async (db, tenantId) =>
      (await webhooks.forTenant(db, tenantId)).map(({ id, eventTypes }) => ({ id, eventTypes })),
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.WEBHOOKS_ENABLED) return;
    this.consumer = new SubjectEventConsumer({
      redis: this.config.REDIS_URL,
      queuePrefix: this.config.QUEUE_PREFIX,
      group: 'iam-webhooks',
      startFrom: '$',
      handle: (event, entry) => this.dispatch(event, entry),
      onError: (error) => this.logger.warn({ err: String(error) }, 'webhook dispatch failed; will retry'),
    });
    await this.consumer.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer?.stop();
  }

  private async dispatch(event: SubjectEvent, entry: StreamEntryRef): Promise<void> {
    const subscriptions = (await this.subscriptions.get(this.dataSource, event.tenantId)).filter(
      (s) => s.eventTypes.length === 0 || s.eventTypes.includes(event.type),
    );
    if (subscriptions.length === 0) return;
    // Held before the job exists, so a delivery that finishes at once cannot release it first.
    if (entry.position !== undefined) {
      for (const s of subscriptions) await this.stream.hold(deliveryJobId(s.id, event.id), entry.position);
    }
    await this.deliveries.addBulk(
      subscriptions.map((s) =>
        deliveryJob(this.config, {
          subscriptionId: s.id,
          tenantId: event.tenantId,
          event: event as unknown as WebhookDeliveryJob['event'],
        }),
      ),
    );
  }
}
