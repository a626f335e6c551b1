import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Job, Worker } from 'bullmq';
import { Counter, Gauge, Histogram } from 'prom-client';
import { DataSource } from 'typeorm';
import { MetricsRegistry } from '@app/platform';
import { SubjectEventsRepository } from '../events/subject-events.repository';
import { ObservedQueues } from './observed-queues';

const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;
const SECONDS_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60];

/**
 * IAM's own series: queue depth and command timing, outbox lag and relay rate, webhook deliveries,
 * tenant configuration cache hits.
 * Gauges are read when Prometheus scrapes (one getJobCounts per queue, one indexed outbox query);
 * counters and histograms are fed by the worker, the relay, the delivery processor and the cache.
 */
@Injectable()
export class IamMetrics {
  private readonly commandWait: Histogram<'result'>;
  private readonly commandProcessing: Histogram<'result'>;
  private readonly relayed: Counter;
  private readonly webhookDeliveries: Counter<'result'>;
  private readonly webhookDeadLetters: Counter;
  private readonly tenantConfigLookups: Counter<'cache' | 'result'>;

  constructor(
    registry: MetricsRegistry,
    queues: ObservedQueues,
    outbox: SubjectEventsRepository,
    @InjectDataSource() dataSource: DataSource,
  ) {
    const registers = [registry];
    new Gauge({
      name: 'queue_jobs',
      help: 'BullMQ jobs per queue and state, read at scrape time',
      labelNames: ['queue', 'state'],
      registers,
      async collect() {
        for (const queue of queues.all) {
          const counts = await queue.getJobCounts(...QUEUE_STATES);
          for (const state of QUEUE_STATES) this.set({ queue: queue.name, state }, counts[state] ?? 0);
        }
      },
    });
    new Gauge({
      name: 'outbox_oldest_unpublished_age_seconds',
      help: 'Age of the oldest subject event not yet relayed to the stream (0 when none waits)',
      registers,
      async collect() {
        this.set(await outbox.oldestUnpublishedAgeSeconds(dataSource));
      },
    });
    this.commandWait = new Histogram({
      name: 'provisioning_command_wait_seconds',
      help: 'Time a provisioning command waited in the queue before a worker took it',
      labelNames: ['result'],
      buckets: SECONDS_BUCKETS,
      registers,
    });
    this.commandProcessing = new Histogram({
      name: 'provisioning_command_processing_seconds',
      help: 'Time a worker spent applying a provisioning command',
      labelNames: ['result'],
      buckets: SECONDS_BUCKETS,
      registers,
    });
    this.relayed = new Counter({
      name: 'outbox_events_relayed_total',
      help: 'Subject events relayed from the outbox to the Redis Stream',
      registers,
    });
    this.webhookDeliveries = new Counter({
      name: 'webhook_deliveries_total',
      help: 'Webhook delivery attempts by result (delivered, failed)',
      labelNames: ['result'],
      registers,
    });
    this.webhookDeadLetters = new Counter({
      name: 'webhook_dead_letters_total',
      help: 'Webhook deliveries given up and dead-lettered',
      registers,
    });
    this.tenantConfigLookups = new Counter({
      name: 'tenant_config_cache_lookups_total',
      help: "Reads of a tenant's configuration answered from memory (hit) or PostgreSQL (miss), per cache",
      labelNames: ['cache', 'result'],
      registers,
    });
  }

  /** Times every command the worker finishes (completed, or failed for good or for a retry). */
  observeProvisioningWorker(worker: Worker): void {
    worker.on('completed', (job) => this.observeCommand(job, 'completed'));
    worker.on('failed', (job) => job && this.observeCommand(job, 'failed'));
  }

  private observeCommand(job: Job, result: 'completed' | 'failed'): void {
    const { timestamp, processedOn, finishedOn } = job;
    if (processedOn === undefined) return;
    this.commandWait.observe({ result }, Math.max(0, processedOn - timestamp) / 1000);
    if (finishedOn !== undefined) {
      this.commandProcessing.observe({ result }, Math.max(0, finishedOn - processedOn) / 1000);
    }
  }

  eventsRelayed(count: number): void {
    if (count > 0) this.relayed.inc(count);
  }

  webhookDelivery(result: 'delivered' | 'failed'): void {
    this.webhookDeliveries.inc({ result });
  }

  webhookDeadLettered(): void {
    this.webhookDeadLetters.inc();
  }

  tenantConfigLookup(cache: string, hit: boolean): void {
    this.tenantConfigLookups.inc({ cache, result: hit ? 'hit' : 'miss' });
  }
}
