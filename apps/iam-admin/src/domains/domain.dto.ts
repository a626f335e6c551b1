import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';
import { VERIFICATION_RECORD_PREFIX } from './domain-name';
import { DomainStatus, TenantDomainRow } from './domains.repository';

export class DomainCreateDto {
  @ApiProperty({
    example: 'contoso.com',
    description:
      'A DNS domain the tenant controls: any case, Unicode or punycode, a trailing dot allowed; not an IP address, a wildcard or a single label',
  })
  @IsString()
  @MaxLength(300)
  domain: string;
}

export class TxtRecordDto {
  @ApiProperty({ example: '_iam-verify.contoso.com', description: 'Where to publish the TXT record' })
  name: string;

  @ApiProperty({ example: 'q3Vn2mR8…', description: 'The TXT record value: a random token of this claim' })
  value: string;
}

export class DomainResponseDto {
  @ApiProperty({ example: 'contoso.com', description: 'Lowercase ASCII (IDNA) form' })
  domain: string;

  @ApiProperty({ enum: ['pending', 'verified'] })
  status: DomainStatus;

  @ApiProperty({ type: TxtRecordDto, description: 'Publish this TXT record, then POST …/verify' })
  txtRecord: TxtRecordDto;

  @ApiProperty({ nullable: true, type: Date }) verifiedAt: Date | null;
  @ApiProperty({ nullable: true, type: Date }) lastCheckedAt: Date | null;

  @ApiProperty({ nullable: true, type: String, description: 'What the last failed check found' })
  lastError: string | null;

  @ApiProperty() createdAt: Date;

  static map(d: TenantDomainRow): DomainResponseDto {
    return {
      domain: d.domain,
      status: d.status,
      txtRecord: { name: `${VERIFICATION_RECORD_PREFIX}${d.domain}`, value: d.verificationToken },
      verifiedAt: d.verifiedAt,
      lastCheckedAt: d.lastCheckedAt,
      lastError: d.lastError,
      createdAt: d.createdAt,
    };
  }
}

/** The 422 of a verification that found no matching TXT record. */
export class DomainVerificationFailedDto {
  @ApiProperty({ example: 422 }) statusCode: number;
  @ApiProperty({ example: 'Unprocessable Entity' }) error: string;
  @ApiProperty({
    example: 'no TXT record at _iam-verify.contoso.com has the verification value; found: "v=spf1 -all"',
  })
  message: string;

  @ApiProperty({ enum: ['nxdomain', 'no-matching-record', 'timeout', 'dns-error'] })
  reason: string;

  @ApiProperty({
    type: [String],
    description: 'The TXT values found at the record name (at most 10, each cut at 255)',
  })
  found: string[];
}
