import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsUrl, MaxLength } from 'class-validator';
import { SubjectEventType } from '@app/contracts';

export class WebhookCreateDto {
  @ApiProperty({ example: 'https://billing.internal.example/iam-events' })
  @IsUrl({ protocols: ['https', 'http'], require_tld: false, require_protocol: true })
  @MaxLength(2000)
  url: string;

  @ApiPropertyOptional({
    enum: SubjectEventType,
    isArray: true,
    description: 'Only these event types (default: all)',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsIn(Object.values(SubjectEventType), { each: true })
  eventTypes?: SubjectEventType[];
}

export class WebhookResponseDto {
  @ApiProperty() id: string;
  @ApiProperty() url: string;
  @ApiProperty({ enum: SubjectEventType, isArray: true }) eventTypes: string[];
  @ApiProperty() createdAt: Date;
}

export class WebhookCreateResponseDto extends WebhookResponseDto {
  @ApiProperty({ description: 'HMAC-SHA256 signing secret. Shown only in this response.' })
  secret: string;
}

export class WebhookDeadLetterDto {
  @ApiProperty({ description: 'The dead letter, for POST …/dead-letters/{id}/redeliver', example: '42' })
  id: string;
  @ApiProperty() eventId: string;
  @ApiProperty() eventType: string;
  @ApiProperty() attempts: number;
  @ApiProperty() lastError: string;
  @ApiProperty() failedAt: Date;
  @ApiProperty({
    nullable: true,
    type: Date,
    description: 'When an operator put it back on the delivery queue (null: not since it last failed)',
  })
  redeliveredAt: Date | null;
}

export class WebhookDeliveryDto {
  @ApiProperty() eventId: string;
  @ApiProperty({ enum: SubjectEventType }) eventType: string;
  @ApiProperty({ description: '1 for the first attempt of a delivery, then each retry' }) attempt: number;
  @ApiProperty({ nullable: true, type: Number, description: 'The receiver’s answer; null when none came' })
  statusCode: number | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Why the attempt failed; null when it succeeded',
  })
  error: string | null;
  @ApiProperty() durationMs: number;
  @ApiProperty() at: Date;
}
