import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { SubjectEventType } from '@app/contracts';
import { ROLE_VALUES, USER_TYPES } from '@app/scim';
import { PageQueryDto } from '../page.dto';
import { LOGIN_METHODS, LoginMethod } from '../password-login/subject-credentials.repository';
import { subjectPolicyFacts } from '../provisioning-policy/subject-policy-facts';
import { CountedGroupRow } from './groups.repository';
import { SubjectRow } from './subjects.repository';

export class SubjectAccessDto {
  @ApiProperty() app: boolean;
  @ApiProperty() portal: boolean;
}

export class SubjectResponseDto {
  @ApiProperty() id: string;
  @ApiProperty() userName: string;
  @ApiProperty({ nullable: true, type: String }) externalId: string | null;
  @ApiProperty({ nullable: true, type: String }) displayName: string | null;
  @ApiProperty() active: boolean;
  @ApiProperty({ nullable: true, type: String, description: 'Scheme of the identity provider it came from' })
  provider: string | null;
  @ApiProperty({ enum: ['scim', 'sso-jit', 'admin'] }) source: string;
  @ApiProperty({
    nullable: true,
    type: String,
    description: "'scim' when a SCIM command created or last updated it (Entra owns its account attributes)",
  })
  managedBy: string | null;
  @ApiProperty({ enum: ROLE_VALUES, isArray: true }) roles: string[];
  @ApiProperty({ enum: USER_TYPES, nullable: true }) userType: string | null;
  @ApiProperty({ description: 'The app always; the web portal with any role' })
  access: SubjectAccessDto;
  @ApiProperty({
    type: [String],
    description: 'Ids of the folders it has access to (GET /v1/subjects/{id}/folders)',
  })
  folders: string[];
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, example: { costCenter: '42' } })
  metadata: Record<string, string>;
  @ApiProperty({
    enum: LOGIN_METHODS,
    description:
      "How it signs in: Entra ID, or the platform's built-in password (always entra when SCIM manages it)",
  })
  loginMethod: LoginMethod;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;

  static map(s: SubjectRow, loginMethod: LoginMethod): SubjectResponseDto {
    const { id, userName, externalId, displayName, active, provider, source, createdAt, updatedAt } = s;
    return {
      id,
      userName,
      externalId,
      displayName,
      active,
      provider,
      source,
      ...subjectPolicyFacts(s),
      loginMethod,
      createdAt,
      updatedAt,
    };
  }
}

/** Longer than any filter the SCIM parser accepts, so that it is the parser that names the limit. */
const MAX_FILTER_PARAMETER = 8192;

/** `?filter=` (a SCIM filter, RFC 7644 §3.4.2.2) and paging of the operator's subject and group lists. */
export class SearchQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    description:
      "A SCIM filter over the same attributes as the gateway's /Users (/Groups for groups): userName, externalId, " +
      'displayName, active, emails, roles, userType, meta.created, the folders extension and ' +
      'urn:ietf:params:scim:schemas:extension:2.0:Metadata:{key}',
    example: 'userName sw "j" and urn:ietf:params:scim:schemas:extension:2.0:Metadata:costCenter eq "42"',
  })
  @IsOptional()
  @IsString({ message: 'filter must be a SCIM filter string' })
  @MaxLength(MAX_FILTER_PARAMETER, { message: `filter must be at most ${MAX_FILTER_PARAMETER} characters` })
  filter?: string;
}

export class GroupResponseDto {
  @ApiProperty() id: string;
  @ApiProperty() displayName: string;
  @ApiProperty({ nullable: true, type: String }) externalId: string | null;
  @ApiProperty() memberCount: number;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;

  static map(g: CountedGroupRow): GroupResponseDto {
    const { id, displayName, externalId, memberCount, createdAt, updatedAt } = g;
    return { id, displayName, externalId, memberCount, createdAt, updatedAt };
  }
}

export const SUBJECT_EVENTS_PAGE_DEFAULT = 50;
export const SUBJECT_EVENTS_PAGE_MAX = 200;

/** `?limit=&before=` of a subject's events, newest first. */
export class SubjectEventsQueryDto {
  @ApiPropertyOptional({ default: SUBJECT_EVENTS_PAGE_DEFAULT, maximum: SUBJECT_EVENTS_PAGE_MAX })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be an integer' })
  @Min(1, { message: 'limit must be at least 1' })
  @Max(SUBJECT_EVENTS_PAGE_MAX, { message: `limit must be at most ${SUBJECT_EVENTS_PAGE_MAX}` })
  limit?: number;

  @ApiPropertyOptional({ description: 'Only events before this sequence: nextBefore of the previous page' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'before must be an integer (a sequence)' })
  @Min(1, { message: 'before must be at least 1' })
  @Max(Number.MAX_SAFE_INTEGER, { message: 'before must be a sequence number' })
  before?: number;
}

/** One subject-change event exactly as consumers receive it, and when it left the outbox. */
export class SubjectEventDto {
  @ApiProperty() id: string;
  @ApiProperty({ enum: SubjectEventType }) type: SubjectEventType;
  @ApiProperty({ description: 'Strictly increasing per subject' }) sequence: number;
  @ApiProperty() occurredAt: string;
  @ApiProperty({ enum: ['scim', 'admin', 'sso-jit', 'sso-login'] }) source: string;
  @ApiPropertyOptional({ type: [String], description: 'For *.updated: the attributes that changed' })
  changedAttributes?: string[];
  @ApiProperty({
    type: 'object',
    nullable: true,
    additionalProperties: true,
    description: 'The subject after the change (SCIM document); null after a delete',
  })
  state: Record<string, unknown> | null;
  @ApiProperty({
    nullable: true,
    type: Date,
    description: 'When the relay published it to the event stream; null while it waits',
  })
  publishedAt: Date | null;
}

export class SubjectEventsPageDto {
  @ApiProperty({
    type: [SubjectEventDto],
    description:
      'Newest first. Each event also carries the fields of the subject-event contract (access, roles, userType, ' +
      'folders, metadata, managedBy, identity, groupId, …) as consumers receive them',
  })
  items: SubjectEventDto[];
  @ApiProperty() limit: number;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Pass as `before` for older events; null when there are none',
  })
  nextBefore: number | null;
}
