import { ApiProperty } from '@nestjs/swagger';
import { ROLE_VALUES, USER_TYPES } from '@app/scim';
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
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;

  static map(s: SubjectRow): SubjectResponseDto {
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
      createdAt,
      updatedAt,
    };
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
