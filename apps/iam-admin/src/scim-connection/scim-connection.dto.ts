import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches, MaxLength } from 'class-validator';

export class ScimConnectionTestDto {
  @ApiProperty({
    example: 'scim_…',
    writeOnly: true,
    description: 'The SCIM token to test, as it would be pasted into Entra as the Secret Token',
  })
  @IsString()
  @MaxLength(512)
  // Printable ASCII only: it goes into an Authorization header as is.
  @Matches(/^[\x21-\x7e]+$/, { message: 'token must be printable ASCII without spaces' })
  token: string;
}

export class ScimConnectionRequestDto {
  @ApiProperty({ example: 'GET' }) method: string;
  @ApiProperty({
    example: 'http://127.0.0.1:3001/6f1c…/api/scim/v2/Users?filter=userName%20eq%20%2227c8…%22',
  })
  url: string;
}

export class ScimConnectionTestResultDto {
  @ApiProperty({ type: ScimConnectionRequestDto, description: 'What was sent (the token is not repeated)' })
  request: ScimConnectionRequestDto;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: "The gateway's HTTP status; null when it did not answer",
  })
  status: number | null;
  @ApiProperty({ nullable: true, type: String }) contentType: string | null;
  @ApiProperty({ description: 'The body exactly as answered (cut after 64 KiB)' }) body: string;
  @ApiProperty({ nullable: true, type: String, description: 'Why there was no answer (refused, timeout …)' })
  error: string | null;
  @ApiProperty() durationMs: number;
}
