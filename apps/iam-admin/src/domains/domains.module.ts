import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { DnsTxtResolver } from './dns-txt.resolver';
import { DomainPolicy } from './domain-policy';
import { DomainsController } from './domains.controller';
import { DomainsRepository } from './domains.repository';
import { DomainsService } from './domains.service';

/** Verified domains: the /v1/domains API, the one home of the tenant_domains table, and DomainPolicy. */
@Module({
  imports: [AuthModule],
  controllers: [DomainsController],
  providers: [DomainsRepository, DomainsService, DnsTxtResolver, DomainPolicy],
  exports: [DomainPolicy],
})
export class DomainsModule {}
