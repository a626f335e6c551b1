import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsNotEmpty,
  IsOptional,
  IsString,
  MaxLength,
  ValidateBy,
} from 'class-validator';
import {
  canonicalRole,
  canonicalUserType,
  hasForbiddenName,
  isOpenAttributeName,
  ROLE_VALUES,
  RoleValue,
  USER_TYPES,
  UserType,
} from '@app/scim';
import { ProvisioningSettingsRow } from './provisioning-settings.repository';

/** Accepts any case of an allowed value and stores the canonical spelling (anything else is left to @IsIn). */
const canonical = (of: (value: string) => string | undefined) =>
  Transform(({ value }) => (typeof value === 'string' ? (of(value) ?? value) : value));

/** Each item a key SCIM can carry as `urn:…:Metadata:{key}`: an attribute name, not a reserved property. */
const IsMetadataKeys = () =>
  ValidateBy(
    {
      name: 'isMetadataKey',
      validator: {
        validate: (key: unknown) =>
          typeof key === 'string' && isOpenAttributeName(key) && !hasForbiddenName(key),
        defaultMessage: () =>
          "each key of allowedMetadataKeys must start with a letter and hold only letters, digits, '_' and '-' (at most 128)",
      },
    },
    { each: true },
  );

export class ProvisioningSettingsQueryDto {
  @ApiPropertyOptional({
    example: 'entra',
    description: "An identity provider's scheme: its override of the tenant's settings for its SCIM commands",
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  provider?: string;
}

/** PUT replaces the settings of the scope: what it leaves out takes its default. */
export class ProvisioningSettingsUpdateDto {
  @ApiPropertyOptional({
    enum: ROLE_VALUES,
    nullable: true,
    description: 'The role a user gets when Entra sends none (any case in, canonical out); null: none',
  })
  @IsOptional()
  @canonical(canonicalRole)
  @IsIn(ROLE_VALUES, { message: `defaultRole must be one of ${ROLE_VALUES.join(', ')} (or null)` })
  defaultRole?: RoleValue | null;

  @ApiPropertyOptional({
    enum: USER_TYPES,
    nullable: true,
    description: 'The userType a user gets when Entra sends none; null: a user without userType is refused',
  })
  @IsOptional()
  @canonical(canonicalUserType)
  @IsIn(USER_TYPES, { message: `defaultUserType must be one of ${USER_TYPES.join(', ')} (or null)` })
  defaultUserType?: UserType | null;

  @ApiPropertyOptional({
    default: false,
    description: "SCIM may create and update only users of the tenant's verified domains",
  })
  @IsOptional()
  @IsBoolean()
  requireVerifiedDomain?: boolean;

  @ApiPropertyOptional({
    default: false,
    description: 'Folder values that name no folder are skipped (and recorded) instead of refused',
  })
  @IsOptional()
  @IsBoolean()
  ignoreUnknownFolders?: boolean;

  @ApiPropertyOptional({
    type: [String],
    nullable: true,
    example: ['costCenter', 'division'],
    description: 'The metadata keys a user may carry (compared ignoring case); null or absent: any key',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsMetadataKeys()
  @ArrayUnique((key: string) => key.toLowerCase(), {
    message: 'allowedMetadataKeys must not list a key twice (keys are compared ignoring case)',
  })
  allowedMetadataKeys?: string[] | null;
}

export class ProvisioningSettingsResponseDto {
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'The provider the settings are for; null: the tenant',
  })
  provider: string | null;
  @ApiProperty({
    enum: ['provider', 'tenant', 'none'],
    description:
      "Whose settings these are: the provider's override, the tenant's own, or none saved (policy off: defaults shown)",
  })
  settingsOf: 'provider' | 'tenant' | 'none';
  @ApiProperty({ enum: ROLE_VALUES, nullable: true }) defaultRole: RoleValue | null;
  @ApiProperty({ enum: USER_TYPES, nullable: true }) defaultUserType: UserType | null;
  @ApiProperty() requireVerifiedDomain: boolean;
  @ApiProperty() ignoreUnknownFolders: boolean;
  @ApiProperty({ type: [String], nullable: true }) allowedMetadataKeys: string[] | null;
  @ApiProperty({ description: 'Bumped by every PUT; 0 before the first' }) version: number;
  @ApiProperty({ nullable: true, type: Date }) updatedAt: Date | null;
  @ApiProperty({ nullable: true, type: String, description: 'Admin token id or JWT subject of the last PUT' })
  updatedBy: string | null;

  static map(
    provider: string | null,
    row: ProvisioningSettingsRow | undefined,
  ): ProvisioningSettingsResponseDto {
    const settingsOf = !row ? 'none' : row.provider === null ? 'tenant' : 'provider';
    return {
      provider,
      settingsOf,
      defaultRole: row?.defaultRole ?? null,
      defaultUserType: row?.defaultUserType ?? null,
      requireVerifiedDomain: row?.requireVerifiedDomain ?? false,
      ignoreUnknownFolders: row?.ignoreUnknownFolders ?? false,
      allowedMetadataKeys: row?.allowedMetadataKeys ?? null,
      version: row?.version ?? 0,
      updatedAt: row?.updatedAt ?? null,
      updatedBy: row?.updatedBy ?? null,
    };
  }
}
