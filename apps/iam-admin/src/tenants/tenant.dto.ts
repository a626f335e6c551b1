import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsNotEmpty, IsString, MaxLength, ValidateIf } from 'class-validator';
import { TenantRow } from './tenants.repository';

export class TenantCreateDto {
  @ApiProperty({ example: 'Contoso Ltd' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  displayName: string;
}

export class TenantUpdateDto {
  @ApiPropertyOptional({ example: 'Contoso Ltd' })
  @ValidateIf((_object: object, value: unknown) => value !== undefined)
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  displayName?: string;

  @ApiPropertyOptional({
    description: 'false disables the tenant: its admin calls and SCIM requests are refused',
  })
  @ValidateIf((_object: object, value: unknown) => value !== undefined)
  @IsBoolean()
  enabled?: boolean;
}

export class TenantResponseDto {
  @ApiProperty() id: string;
  @ApiProperty() displayName: string;
  @ApiProperty() enabled: boolean;
  @ApiProperty() isDefault: boolean;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;

  static map(tenant: TenantRow): TenantResponseDto {
    const { id, displayName, enabled, isDefault, createdAt, updatedAt } = tenant;
    return { id, displayName, enabled, isDefault, createdAt, updatedAt };
  }
}
