import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { NotNullIfPresent } from '../errors/validation';
import { FolderRow } from './folders.repository';

const trimmed = () => Transform(({ value }) => (typeof value === 'string' ? value.trim() : value));
// Entra sends folders as Split([attribute], ","): a value with a comma could never arrive whole.
const NO_COMMA = /^[^,]*$/;
const NO_COMMA_MESSAGE = 'externalId must not contain a comma (Entra splits folder values on commas)';

export class FolderCreateDto {
  @ApiProperty({ example: 'Finance', description: 'Unique in the tenant (case-insensitive)' })
  @trimmed()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  displayName: string;

  @ApiPropertyOptional({
    example: 'FIN-01',
    nullable: true,
    type: String,
    description: 'What Entra may send instead of the folder id; unique in the tenant (case-insensitive)',
  })
  @IsOptional()
  @trimmed()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  @Matches(NO_COMMA, { message: NO_COMMA_MESSAGE })
  externalId?: string | null;
}

export class FolderUpdateDto {
  @ApiPropertyOptional({ example: 'Finance EMEA' })
  @NotNullIfPresent()
  @trimmed()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  displayName?: string;

  @ApiPropertyOptional({ nullable: true, type: String, description: 'null removes it' })
  @IsOptional()
  @trimmed()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  @Matches(NO_COMMA, { message: NO_COMMA_MESSAGE })
  externalId?: string | null;
}

export class FolderResponseDto {
  @ApiProperty() id: string;
  @ApiProperty() displayName: string;
  @ApiProperty({ nullable: true, type: String }) externalId: string | null;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;

  static map(f: FolderRow): FolderResponseDto {
    const { id, displayName, externalId, createdAt, updatedAt } = f;
    return { id, displayName, externalId, createdAt, updatedAt };
  }
}
