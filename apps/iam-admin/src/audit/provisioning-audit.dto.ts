import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import type { SubjectSource } from '../subjects/subjects.repository';
import {
  AUDIT_OPERATIONS,
  AUDIT_OUTCOMES,
  AUDIT_RESOURCE_TYPES,
  AUDIT_SOURCES,
  AuditOperation,
  AuditOutcome,
  AuditResourceType,
} from './provisioning-audit.repository';

export const AUDIT_PAGE_DEFAULT = 100;
export const AUDIT_PAGE_MAX = 500;

/** Filters and paging of `GET /v1/audit/provisioning`; every filter narrows (AND). */
export class ProvisioningAuditQueryDto {
  @ApiPropertyOptional({ description: 'ISO 8601; entries at or after it', example: '2025-12-01T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ description: 'ISO 8601; entries before it', example: '2025-12-02T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;

  @ApiPropertyOptional({ description: 'the User or Group the command addressed (its id)' })
  @IsOptional()
  @IsUUID()
  subjectId?: string;

  @ApiPropertyOptional({
    description: 'userName of a User, displayName of a Group (case-insensitive, exact)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  @Matches(/^[^\u0000]*$/, { message: 'userName must not contain NUL' })
  userName?: string;

  @ApiPropertyOptional({ enum: AUDIT_OUTCOMES })
  @IsOptional()
  @IsIn(AUDIT_OUTCOMES)
  outcome?: AuditOutcome;

  @ApiPropertyOptional({ enum: AUDIT_OPERATIONS })
  @IsOptional()
  @IsIn(AUDIT_OPERATIONS)
  operation?: AuditOperation;

  @ApiPropertyOptional({ enum: AUDIT_RESOURCE_TYPES })
  @IsOptional()
  @IsIn(AUDIT_RESOURCE_TYPES)
  resourceType?: AuditResourceType;

  @ApiPropertyOptional({ enum: AUDIT_SOURCES })
  @IsOptional()
  @IsIn(AUDIT_SOURCES)
  source?: SubjectSource;

  @ApiPropertyOptional({ default: AUDIT_PAGE_DEFAULT, maximum: AUDIT_PAGE_MAX })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(AUDIT_PAGE_MAX)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}

export class ProvisioningAuditEntryDto {
  @ApiProperty() id: string;
  @ApiProperty({ description: 'when the command finished' }) occurredAt: Date;
  @ApiProperty({ enum: AUDIT_SOURCES }) source: SubjectSource;
  @ApiProperty({ nullable: true, type: String }) scimTokenId: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'identity provider scheme' }) provider:
    string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'admin token id or JWT sub of an operator write',
  })
  actor: string | null;
  @ApiProperty({ nullable: true, type: String }) commandId: string | null;
  @ApiProperty({ enum: AUDIT_OPERATIONS }) operation: AuditOperation;
  @ApiProperty({ enum: AUDIT_RESOURCE_TYPES }) resourceType: AuditResourceType;
  @ApiProperty({
    nullable: true,
    type: String,
    description:
      "the User's or Group's id (none for a refused create); for ProvisioningSettings the provider scheme of an override, none for the tenant's own",
  })
  resourceId: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'userName; a Group’s displayName' }) userName:
    string | null;
  @ApiProperty({ type: [String], description: 'names of the attributes changed (never values)' })
  changedAttributes: string[];
  @ApiProperty({ type: [String], description: 'tenant policy decisions that did not refuse the command' })
  decisions: string[];
  @ApiProperty({ enum: AUDIT_OUTCOMES }) outcome: AuditOutcome;
  @ApiProperty({ example: 201 }) status: number;
  @ApiProperty({ nullable: true, type: String, example: 'uniqueness' }) scimType: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'the refusal or failure detail' }) message:
    string | null;
  @ApiProperty() durationMs: number;
}

export class ProvisioningAuditPageDto {
  @ApiProperty({ type: [ProvisioningAuditEntryDto], description: 'newest first' })
  items: ProvisioningAuditEntryDto[];
  @ApiProperty() limit: number;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'pass as `cursor` for the next page; null at the end',
  })
  nextCursor: string | null;
}
