import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance } from 'fastify';
import { IamAdminConfig } from '../config/iam-admin.config';
import { ObservedQueues } from '../metrics/observed-queues';
import { dashboardCookie, QueueDashboardSessions } from './queue-dashboard-sessions';

export const QUEUE_DASHBOARD_PATH = '/queues';

/**
 * bull-board for the provisioning and webhook queues at /queues. Registered as an encapsulated
 * Fastify plugin whose onRequest hook admits only an open dashboard session, so the page, its
 * static files and its API (`/queues/api/…`) are all behind it. (@bull-board/nestjs would register
 * the plugin itself and protect it with Nest middleware bound to the route path, which on Fastify
 * does not reliably cover the plugin's sub-routes; the plugin here is the same bull-board.)
 * Read-only unless QUEUE_DASHBOARD_READ_ONLY=false: bull-board then refuses retries, removals
 * and cleaning with 405.
 */
@Injectable()
export class QueueDashboardBoard implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly queues: ObservedQueues,
    private readonly sessions: QueueDashboardSessions,
    private readonly config: IamAdminConfig,
  ) {}

  onModuleInit(): void {
    const serverAdapter = new FastifyAdapter().setBasePath(QUEUE_DASHBOARD_PATH);
    createBullBoard({
      queues: this.queues.all.map(
        (queue) => new BullMQAdapter(queue, { readOnlyMode: this.config.QUEUE_DASHBOARD_READ_ONLY }),
      ),
      serverAdapter,
    });
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    void fastify.register(async (scope) => {
      scope.addHook('onRequest', async (request, reply) => {
        if (await this.sessions.isOpen(dashboardCookie(request.headers.cookie))) return;
        await reply.status(401).send({
          statusCode: 401,
          error: 'Unauthorized',
          message:
            'open a dashboard session first: POST /v1/queue-dashboard/session with a platform admin token',
        });
      });
      await scope.register(serverAdapter.registerPlugin(), { prefix: QUEUE_DASHBOARD_PATH });
    });
  }
}
