import { ApiProperty } from '@nestjs/swagger';
import { CountedGroupRow } from './groups.repository';
import { SubjectRow } from './subjects.repository';

export class SubjectResponseDto {
  @ApiProperty() id: string;
  @ApiProperty() userName: string;
  @ApiProperty({ nullable: true, type: String }) externalId: string | null;
  @ApiProperty({ nullable: true, type: String }) displayName: string | null;
  @ApiProperty() active: boolean;
  @ApiProperty({ nullable: true, type: String, description: 'Scheme of the identity provider it came from' })
  provider: string | null;
  @ApiProperty({ enum: ['scim', 'sso-jit', 'admin'] }) source: string;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;

  static map(s: SubjectRow): SubjectResponseDto {
    const { id, userName, externalId, displayName, active, provider, source, createdAt, updatedAt } = s;
    return { id, userName, externalId, displayName, active, provider, source, createdAt, updatedAt };
  }
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
