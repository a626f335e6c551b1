import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { QueueDashboardBoard } from './queue-dashboard.board';
import { QueueDashboardController } from './queue-dashboard.controller';
import { QueueDashboardSessions } from './queue-dashboard-sessions';

/** bull-board for operators at /queues, behind a platform-admin session. */
@Module({
  imports: [AuthModule],
  controllers: [QueueDashboardController],
  providers: [QueueDashboardBoard, QueueDashboardSessions],
})
export class QueueDashboardModule {}
