import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { ROLE_VALUES, USER_TYPES } from '@app/scim';
import { LOGIN_METHODS, LoginMethod } from '../password-login/subject-credentials.repository';
import { Invitation } from '../password-login/login-methods.service';
import { SubjectResponseDto } from '../subjects/subjects.dto';

/** Long enough for any real name or id, short enough that a body cannot hide megabytes in one value. */
const MAX_TEXT = 1024;

export class SubjectNameDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString({ message: 'name.formatted must be a string' })
  @MaxLength(MAX_TEXT)
  formatted?: string;
  @ApiPropertyOptional()
  @IsOptional()
  @IsString({ message: 'name.givenName must be a string' })
  @MaxLength(MAX_TEXT)
  givenName?: string;
  @ApiPropertyOptional()
  @IsOptional()
  @IsString({ message: 'name.familyName must be a string' })
  @MaxLength(MAX_TEXT)
  familyName?: string;
  @ApiPropertyOptional()
  @IsOptional()
  @IsString({ message: 'name.middleName must be a string' })
  @MaxLength(MAX_TEXT)
  middleName?: string;
}

export class SubjectEmailDto {
  @ApiProperty({ example: 'temp.contractor@contoso.com' })
  @IsString({ message: 'emails.value must be a string' })
  @IsNotEmpty({ message: 'emails.value must not be empty' })
  @MaxLength(MAX_TEXT)
  value: string;

  @ApiPropertyOptional({ example: 'work' })
  @IsOptional()
  @IsString({ message: 'emails.type must be a string' })
  @MaxLength(64)
  type?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean({ message: 'emails.primary must be true or false' })
  primary?: boolean;
}

/** A local subject (e.g. a temporary external user), written through the same handler and policy as SCIM. */
export class SubjectCreateDto {
  @ApiProperty({
    example: 'temp.contractor@contoso.com',
    description: 'Unique in the tenant, case-insensitively',
  })
  @IsString({ message: 'userName must be a string' })
  @IsNotEmpty({ message: 'userName must not be empty' })
  @MaxLength(MAX_TEXT, { message: `userName must be at most ${MAX_TEXT} characters` })
  userName: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString({ message: 'displayName must be a string' })
  @MaxLength(MAX_TEXT, { message: `displayName must be at most ${MAX_TEXT} characters` })
  displayName?: string;

  @ApiPropertyOptional({ type: SubjectNameDto })
  @IsOptional()
  @IsObject({ message: 'name must be an object' })
  @ValidateNested()
  @Type(() => SubjectNameDto)
  name?: SubjectNameDto;

  @ApiPropertyOptional({ type: [SubjectEmailDto] })
  @IsOptional()
  @IsArray({ message: 'emails must be an array' })
  @ArrayMaxSize(20, { message: 'emails must have at most 20 entries' })
  @ValidateNested({ each: true })
  @Type(() => SubjectEmailDto)
  emails?: SubjectEmailDto[];

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean({ message: 'active must be true or false' })
  active?: boolean;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString({ message: 'externalId must be a string' })
  @MaxLength(MAX_TEXT, { message: `externalId must be at most ${MAX_TEXT} characters` })
  externalId?: string;

  @ApiPropertyOptional({ type: [String], example: ['User'], description: `Any of ${ROLE_VALUES.join(', ')}` })
  @IsOptional()
  @IsArray({ message: 'roles must be an array of role names' })
  @ArrayMaxSize(ROLE_VALUES.length, { message: `roles must have at most ${ROLE_VALUES.length} entries` })
  @IsString({ each: true, message: 'roles must be an array of role names' })
  roles?: string[];

  @ApiPropertyOptional({ example: 'Standard', description: `${USER_TYPES.join(' or ')}` })
  @IsOptional()
  @IsString({ message: 'userType must be a string' })
  @MaxLength(64, { message: 'userType must be at most 64 characters' })
  userType?: string;

  @ApiPropertyOptional({ type: [String], description: 'Folder ids or folder external ids of the tenant' })
  @IsOptional()
  @IsArray({ message: 'folders must be an array of folder ids or external ids' })
  @ArrayMaxSize(1000, { message: 'folders must have at most 1000 entries' })
  @IsString({ each: true, message: 'folders must be an array of folder ids or external ids' })
  folders?: string[];

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { costCenter: '42' },
    description: 'Key → string value (the urn:…:Metadata:{key} attributes)',
  })
  @IsOptional()
  @IsObject({ message: 'metadata must be an object of key → string value' })
  metadata?: Record<string, string>;

  @ApiPropertyOptional({
    enum: LOGIN_METHODS,
    description:
      "How the user signs in: Entra ID, or the platform's built-in password (default: entra when the tenant has a login-enabled Azure AD provider, else built-in)",
  })
  @IsOptional()
  @IsIn(LOGIN_METHODS, { message: `loginMethod must be one of ${LOGIN_METHODS.join(', ')}` })
  loginMethod?: LoginMethod;
}

/**
 * Any of the attributes; null removes one (for metadata: null removes all, a key's null removes
 * that key). Entra owns userName, emails, name, active, externalId and displayName of a
 * SCIM-managed subject.
 */
export class SubjectUpdateDto extends PartialType(SubjectCreateDto) {}

export class InvitationResponseDto {
  @ApiProperty({
    description: 'One-time token to set the password; shown only now (only its digest is stored)',
  })
  token: string;
  @ApiProperty() expiresAt: Date;
  @ApiProperty({ description: 'A link carrying the token (in the fragment) for a sign-up page' })
  url: string;
}

export class SubjectLoginResponseDto {
  @ApiProperty({ enum: LOGIN_METHODS }) loginMethod: LoginMethod;
  @ApiProperty({ description: 'A built-in password has been set' }) passwordSet: boolean;
  @ApiProperty({ nullable: true, type: Date, description: 'A pending invitation expires then' })
  invitationExpiresAt: Date | null;
  @ApiProperty({ nullable: true, type: Date, description: 'Locked after failed sign-ins until then' })
  lockedUntil: Date | null;
}

/** The subject as an operator's create leaves it, with a built-in user's invitation. */
export class SubjectCreateResponseDto extends SubjectResponseDto {
  @ApiPropertyOptional({ type: InvitationResponseDto, description: 'For a built-in user: shown only now' })
  invitation?: Invitation;
}
