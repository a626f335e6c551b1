import { ApiProperty } from '@nestjs/swagger';

export class QueueDashboardSessionDto {
  @ApiProperty({ example: '/queues', description: 'Open this path in the same browser' })
  path: string;

  @ApiProperty({ description: 'The session cookie stops working then' })
  expiresAt: Date;

  @ApiProperty({ description: 'false when QUEUE_DASHBOARD_READ_ONLY=false allows retry and clean actions' })
  readOnly: boolean;
}
