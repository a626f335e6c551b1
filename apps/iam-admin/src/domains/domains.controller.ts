import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { AdminAccess, TenantId } from '../auth/admin-access.decorator';
import { AdminPermission } from '../auth/admin-principal';
import { DomainCreateDto, DomainResponseDto, DomainVerificationFailedDto } from './domain.dto';
import { DomainsService } from './domains.service';

@ApiTags('domains')
@AdminAccess({ permission: AdminPermission.IamAdmin, tenantScoped: true })
@Controller('v1/domains')
export class DomainsController {
  constructor(private readonly domains: DomainsService) {}

  @Post()
  @ApiOperation({ summary: 'Claim a domain: answers the TXT record to publish for its verification' })
  @ApiCreatedResponse({ type: DomainResponseDto })
  @ApiBadRequestResponse({
    description: 'Not a domain name (IP, wildcard, single label…); the message says why',
  })
  @ApiConflictResponse({ description: 'The domain is already added to this tenant' })
  add(@TenantId() tenantId: string, @Body() dto: DomainCreateDto): Promise<DomainResponseDto> {
    return this.domains.add(tenantId, dto);
  }

  @Get()
  @ApiOkResponse({ type: [DomainResponseDto] })
  list(@TenantId() tenantId: string): Promise<DomainResponseDto[]> {
    return this.domains.list(tenantId);
  }

  @Get(':domain')
  @ApiOkResponse({ type: DomainResponseDto })
  @ApiNotFoundResponse({ description: 'Not added to this tenant' })
  get(@TenantId() tenantId: string, @Param('domain') domain: string): Promise<DomainResponseDto> {
    return this.domains.get(tenantId, domain);
  }

  @Post(':domain/verify')
  @HttpCode(200)
  @ApiOkResponse({ type: DomainResponseDto, description: 'Verified: the TXT record was found' })
  @ApiOperation({
    summary:
      'Looks up the TXT record _iam-verify.<domain> (IAM_DNS_SERVERS, IAM_DNS_TIMEOUT_MS); verified when one value is the token',
  })
  @ApiNotFoundResponse({ description: 'Not added to this tenant' })
  @ApiUnprocessableEntityResponse({
    type: DomainVerificationFailedDto,
    description:
      'Not verified (it stays pending): NXDOMAIN, no matching record (the values found), or a timeout',
  })
  verify(@TenantId() tenantId: string, @Param('domain') domain: string): Promise<DomainResponseDto> {
    return this.domains.verify(tenantId, domain);
  }

  @Delete(':domain')
  @HttpCode(204)
  @ApiOperation({
    summary:
      'Withdraws the domain: its users stay as they are, but SCIM may not update them while the tenant requires verified domains',
  })
  @ApiNotFoundResponse({ description: 'Not added to this tenant' })
  delete(@TenantId() tenantId: string, @Param('domain') domain: string): Promise<void> {
    return this.domains.delete(tenantId, domain);
  }
}
