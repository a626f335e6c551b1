import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayNotEmpty,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { AdminPermission } from '../auth/admin-principal';
import { NotNullIfPresent } from '../errors/validation';
import { AdminTokenRow } from './admin-tokens.repository';

const PERMISSIONS = Object.values(AdminPermission);

export class AdminTokenCreateDto {
  @ApiProperty({ example: 'CI pipeline for Contoso' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  description: string;

  @ApiProperty({
    enum: PERMISSIONS,
    isArray: true,
    description: 'A subset of the calling token’s own permissions',
  })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayUnique()
  @IsIn(PERMISSIONS, { each: true, message: `each permission must be one of: ${PERMISSIONS.join(', ')}` })
  permissions: AdminPermission[];

  @ApiPropertyOptional({
    description:
      'Bind the token to this tenant. Omitted: the calling token’s tenant, or a platform-level token when a platform admin calls',
  })
  @NotNullIfPresent()
  @IsUUID()
  tenantId?: string;

  @ApiPropertyOptional({
    example: 90,
    description:
      'Lifetime in days. Omitted: the calling admin token’s expiry if it has one, else no expiry; with a JWT, 90 (at most 365)',
  })
  @NotNullIfPresent()
  @IsInt()
  @Min(1)
  @Max(3650)
  expiresInDays?: number;
}

export class AdminTokenResponseDto {
  @ApiProperty() id: string;
  @ApiProperty() description: string;
  @ApiProperty({ nullable: true, type: String, description: 'Null for a platform-level token' })
  tenantId: string | null;
  @ApiProperty({ type: [String] }) permissions: string[];
  @ApiProperty({ nullable: true, type: String, description: 'Last four characters of the token' })
  tokenHint: string | null;
  @ApiProperty() createdAt: Date;
  @ApiProperty({ nullable: true, type: String, description: 'Who created it' }) createdBy: string | null;
  @ApiProperty({ nullable: true, type: Date }) expiresAt: Date | null;
  @ApiProperty({ nullable: true, type: Date, description: 'Recorded at most once a minute' })
  lastUsedAt: Date | null;

  static map(t: AdminTokenRow): AdminTokenResponseDto {
    const { id, description, tenantId, permissions, tokenHint, createdAt, createdBy, expiresAt, lastUsedAt } =
      t;
    return { id, description, tenantId, permissions, tokenHint, createdAt, createdBy, expiresAt, lastUsedAt };
  }
}

export class AdminTokenCreateResponseDto extends AdminTokenResponseDto {
  @ApiProperty({
    description: 'The bearer token (iamadm_…). Shown only in this response; stored as a digest.',
  })
  token: string;
}
