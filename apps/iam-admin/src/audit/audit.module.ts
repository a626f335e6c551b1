import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { ProvisioningAuditController } from './provisioning-audit.controller';
import { ProvisioningAuditRepository } from './provisioning-audit.repository';
import { ProvisioningAuditService } from './provisioning-audit.service';

/** The provisioning audit log: recorded by whoever writes subjects and groups, read by operators. */
@Module({
  imports: [AuthModule],
  controllers: [ProvisioningAuditController],
  providers: [ProvisioningAuditRepository, ProvisioningAuditService],
  exports: [ProvisioningAuditService],
})
export class AuditModule {}
