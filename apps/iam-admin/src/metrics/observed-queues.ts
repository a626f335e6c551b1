import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import { QueueName, WEBHOOK_DELIVERIES_QUEUE } from '@app/contracts';
import { redisConnection } from '@app/platform';
import { IamAdminConfig } from '../config/iam-admin.config';

/** The BullMQ queues IAM works off, opened for looking at them: metrics and the queue dashboard. */
@Injectable()
export class ObservedQueues implements OnApplicationShutdown {
  readonly all: Queue[];

  constructor(config: IamAdminConfig) {
    const options = { connection: redisConnection(config.REDIS_URL), prefix: config.QUEUE_PREFIX };
    this.all = [QueueName.ProvisioningCommands, WEBHOOK_DELIVERIES_QUEUE].map(
      (name) => new Queue(name, options),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.all.map((queue) => queue.close()));
  }
}
