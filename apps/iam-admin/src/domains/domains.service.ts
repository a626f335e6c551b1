import { randomBytes } from 'node:crypto';
import {
  ConflictException,
  Injectable,
  Logger,
  NotFoundException,
  UnprocessableEntityException,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { isUniqueViolation } from '@app/database';
import { IamAdminConfig } from '../config/iam-admin.config';
import { FieldValidationException } from '../errors/validation';
import { DnsTxtResolver, TxtAnswer } from './dns-txt.resolver';
import { DomainCreateDto, DomainResponseDto } from './domain.dto';
import { DomainNameError, normalizeDomain, VERIFICATION_RECORD_PREFIX } from './domain-name';
import { DomainsRepository, TenantDomainRow } from './domains.repository';

const SHOWN_VALUES = 10;
const SHOWN_LENGTH = 255;

/** Why a DNS check did not verify a domain, for the 422 and the stored lastError. */
interface CheckFailure {
  reason: 'nxdomain' | 'no-matching-record' | 'timeout' | 'dns-error';
  message: string;
  found: string[];
}

/**
 * Verified domains: a tenant claims a domain, publishes the claim's random token as a TXT record
 * at `_iam-verify.<domain>`, and asks IAM to look it up. Verified stays verified (a later change
 * of the record changes nothing); deleting the domain withdraws it, and adding it again starts a
 * new claim with a new token.
 */
@Injectable()
export class DomainsService {
  private readonly logger = new Logger(DomainsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly domains: DomainsRepository,
    private readonly dns: DnsTxtResolver,
    private readonly config: IamAdminConfig,
  ) {}

  async add(tenantId: string, dto: DomainCreateDto): Promise<DomainResponseDto> {
    let domain: string;
    try {
      domain = normalizeDomain(dto.domain);
    } catch (error) {
      if (!(error instanceof DomainNameError)) throw error;
      throw new FieldValidationException([{ field: 'domain', message: `domain ${error.message}` }]);
    }
    try {
      const verificationToken = randomBytes(32).toString('base64url');
      return DomainResponseDto.map(
        await this.domains.insert(this.dataSource, { tenantId, domain, verificationToken }),
      );
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new ConflictException(`domain '${domain}' is already added to this tenant`);
      }
      throw error;
    }
  }

  async list(tenantId: string): Promise<DomainResponseDto[]> {
    return (await this.domains.list(this.dataSource, tenantId)).map(DomainResponseDto.map);
  }

  async get(tenantId: string, domain: string): Promise<DomainResponseDto> {
    return DomainResponseDto.map(await this.find(tenantId, domain));
  }

  /** Looks the TXT record up; 422 saying what DNS answered when it does not carry the token. */
  async verify(tenantId: string, domain: string): Promise<DomainResponseDto> {
    const claim = await this.find(tenantId, domain);
    if (claim.status === 'verified') return DomainResponseDto.map(claim);
    const failure = this.failureOf(claim, await this.dns.txt(recordName(claim.domain)));
    const checked = await this.domains.recordCheck(this.dataSource, claim, failure?.message ?? null);
    if (!checked) throw notAdded(claim.domain); // deleted (or deleted and added again) meanwhile
    if (failure) {
      throw new UnprocessableEntityException({
        statusCode: 422,
        error: 'Unprocessable Entity',
        message: failure.message,
        reason: failure.reason,
        found: failure.found,
      });
    }
    this.logger.log({ event: 'domain.verified', tenantId, domain: claim.domain }, 'domain verified');
    return DomainResponseDto.map(checked);
  }

  async delete(tenantId: string, domain: string): Promise<void> {
    const normalized = normalizedOrNotAdded(domain);
    if (!(await this.domains.delete(this.dataSource, tenantId, normalized))) throw notAdded(normalized);
  }

  private async find(tenantId: string, domain: string): Promise<TenantDomainRow> {
    const normalized = normalizedOrNotAdded(domain);
    const found = await this.domains.find(this.dataSource, tenantId, normalized);
    if (!found) throw notAdded(normalized);
    return found;
  }

  /** Undefined when a TXT record (its chunks joined) is exactly the claim's token. */
  private failureOf(claim: TenantDomainRow, answer: TxtAnswer): CheckFailure | undefined {
    const name = recordName(claim.domain);
    switch (answer.kind) {
      case 'records': {
        if (answer.values.includes(claim.verificationToken)) return undefined;
        const found = answer.values.slice(0, SHOWN_VALUES).map((v) => v.slice(0, SHOWN_LENGTH));
        return {
          reason: 'no-matching-record',
          found,
          message:
            found.length === 0
              ? `${name} has no TXT record: publish one with the value ${claim.verificationToken}`
              : `no TXT record at ${name} has the verification value ${claim.verificationToken}; found: ${found
                  .map((v) => JSON.stringify(v))
                  .join(', ')}`,
        };
      }
      case 'nxdomain':
        return {
          reason: 'nxdomain',
          found: [],
          message: `${name} does not exist in DNS (NXDOMAIN): publish a TXT record there with the value ${claim.verificationToken}`,
        };
      case 'timeout':
        return {
          reason: 'timeout',
          found: [],
          message: `the DNS lookup of ${name} timed out after ${this.config.IAM_DNS_TIMEOUT_MS} ms; try again`,
        };
      case 'error':
        return {
          reason: 'dns-error',
          found: [],
          message: `the DNS lookup of ${name} failed (${answer.code})`,
        };
    }
  }
}

function recordName(domain: string): string {
  return `${VERIFICATION_RECORD_PREFIX}${domain}`;
}

/** A path's domain as stored; one that cannot be a domain was never added. */
function normalizedOrNotAdded(domain: string): string {
  try {
    return normalizeDomain(domain);
  } catch {
    throw notAdded(domain);
  }
}

function notAdded(domain: string): NotFoundException {
  return new NotFoundException(`domain '${domain}' is not added to this tenant`);
}
