import { Module } from '@nestjs/common';
import { ProvisioningAuditRepository } from '../audit/provisioning-audit.repository';
import { SubjectEventsRepository } from '../events/subject-events.repository';
import { ProvisioningOutcomesRepository } from '../provisioning/provisioning-outcomes.repository';
import { WebhooksRepository } from '../webhooks/webhooks.repository';
import { RetentionLockRepository } from './retention-lock.repository';
import { RetentionService } from './retention.service';

/** The periodic purge of personal data past its retention (repositories are stateless, so provided here too). */
@Module({
  providers: [
    RetentionService,
    RetentionLockRepository,
    ProvisioningOutcomesRepository,
    SubjectEventsRepository,
    ProvisioningAuditRepository,
    WebhooksRepository,
  ],
})
export class RetentionModule {}
