import { Module } from '@nestjs/common';
import { HealthController } from './health.controller';

/** `/health/live` and `/health/ready` (PostgreSQL + Redis), the same on both services. */
@Module({ controllers: [HealthController] })
export class HealthModule {}
