import { Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AdminAccess } from '../auth/admin-access.decorator';
import { AdminPermission } from '../auth/admin-principal';
import { IamAdminConfig } from '../config/iam-admin.config';
import { QueueDashboardSessionDto } from './queue-dashboard.dto';
import {
  QUEUE_DASHBOARD_COOKIE,
  QUEUE_DASHBOARD_SESSION_SECONDS,
  QueueDashboardSessions,
} from './queue-dashboard-sessions';
import { QUEUE_DASHBOARD_PATH } from './queue-dashboard.board';

@ApiTags('queue-dashboard')
// Platform level: the queues hold every tenant's commands and deliveries.
@AdminAccess({ permission: AdminPermission.PlatformAdmin, tenantScoped: false })
@Controller('v1/queue-dashboard/session')
export class QueueDashboardController {
  constructor(
    private readonly sessions: QueueDashboardSessions,
    private readonly config: IamAdminConfig,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary: `Opens a ${QUEUE_DASHBOARD_SESSION_SECONDS / 60}-minute queue dashboard session: an HttpOnly, SameSite=Strict cookie for ${QUEUE_DASHBOARD_PATH}`,
  })
  @ApiCreatedResponse({ type: QueueDashboardSessionDto })
  async open(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<QueueDashboardSessionDto> {
    const { secret, expiresAt } = await this.sessions.open();
    const secure = request.protocol === 'https' ? '; Secure' : '';
    reply.header(
      'Set-Cookie',
      `${QUEUE_DASHBOARD_COOKIE}=${secret}; Path=${QUEUE_DASHBOARD_PATH}; Max-Age=${QUEUE_DASHBOARD_SESSION_SECONDS}; HttpOnly; SameSite=Strict${secure}`,
    );
    return { path: QUEUE_DASHBOARD_PATH, expiresAt, readOnly: this.config.QUEUE_DASHBOARD_READ_ONLY };
  }
}
