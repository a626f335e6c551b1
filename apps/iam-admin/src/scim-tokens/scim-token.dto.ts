import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { ScimTokenRow } from './scim-tokens.repository';

export class ScimTokenCreateDto {
  @ApiProperty({
    example: 'contoso-entra',
    description: 'The scheme of an SSO identity provider of this tenant',
  })
  @IsString()
  @IsNotEmpty()
  provider: string;

  @ApiProperty({ example: 'Contoso Entra ID' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  providerDisplayName: string;

  @ApiPropertyOptional({ example: 365, description: 'Lifetime in days (default 365)' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(3650)
  expiresInDays?: number;
}

export class ScimTokenResponseDto {
  @ApiProperty() id: string;
  @ApiProperty() provider: string;
  @ApiProperty() providerDisplayName: string;
  @ApiProperty({ description: 'Last four characters of the token, to tell tokens apart' }) tokenHint: string;
  @ApiProperty() createdAt: Date;
  @ApiProperty() expiresAt: Date;
  @ApiProperty({ nullable: true, type: Date }) lastUsedAt: Date | null;

  static map(t: ScimTokenRow): ScimTokenResponseDto {
    const { id, provider, providerDisplayName, tokenHint, createdAt, expiresAt, lastUsedAt } = t;
    return { id, provider, providerDisplayName, tokenHint, createdAt, expiresAt, lastUsedAt };
  }
}

export class ScimTokenCreateResponseDto extends ScimTokenResponseDto {
  @ApiProperty({ description: 'The bearer token for the IdP. Shown only in this response.' })
  token: string;
}
