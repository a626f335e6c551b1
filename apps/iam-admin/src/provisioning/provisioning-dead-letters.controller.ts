import {
  ConflictException,
  Controller,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  Query,
} from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiProperty,
  ApiTags,
} from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AdminAccess, Principal, TenantId } from '../auth/admin-access.decorator';
import { AdminPermission, AdminPrincipal } from '../auth/admin-principal';
import { Page, pageOf, PageQueryDto } from '../page.dto';
import { ProvisioningDeadLettersRepository } from './provisioning-dead-letters.repository';

export class DeadLetterDto {
  /** The correlation id the SCIM client was given with its 500. */
  @ApiProperty() id: string;
  @ApiProperty() commandId: string;
  @ApiProperty({ example: 'patch-user' }) command: string;
  @ApiProperty({ nullable: true, description: 'the subject or group the command addressed' }) targetId:
    string | null;
  @ApiProperty() attempts: number;
  @ApiProperty() error: string;
  @ApiProperty() createdAt: Date;
  @ApiProperty({ nullable: true, type: Date, description: 'When an operator marked it handled (null: open)' })
  resolvedAt: Date | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Who marked it handled (admin token id or JWT subject)',
  })
  resolvedBy: string | null;
}

/** Provisioning commands that kept failing for no known reason and were set aside instead of retried. */
@ApiTags('provisioning')
@AdminAccess({ permission: AdminPermission.IamAdmin, tenantScoped: true })
@Controller('v1/provisioning/dead-letters')
export class ProvisioningDeadLettersController {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly deadLetters: ProvisioningDeadLettersRepository,
  ) {}

  @Get()
  @ApiOkResponse({ description: 'A page of dead letters, newest first (items: DeadLetterDto)' })
  async list(@TenantId() tenantId: string, @Query() query: PageQueryDto): Promise<Page<DeadLetterDto>> {
    const page = pageOf(query);
    const rows = await this.deadLetters.page(this.dataSource, tenantId, page);
    return { total: rows.total, ...page, items: rows.items };
  }

  /**
   * Marks a dead letter handled. There is no retry: the letter keeps no command document (personal
   * data), and its command id's outcome is recorded as a final 500, so a re-delivery of that command
   * would be answered with it, not applied. The operator fixes the cause and lets Entra send the
   * change again (its next cycle, or "Provision on demand"). A second call is a 409.
   */
  @Post(':id/resolve')
  @HttpCode(200)
  @ApiOkResponse({ type: DeadLetterDto })
  @ApiNotFoundResponse({ description: 'No such dead letter in this tenant' })
  @ApiConflictResponse({ description: 'Already resolved' })
  async resolve(
    @TenantId() tenantId: string,
    @Param('id') id: string,
    @Principal() principal: AdminPrincipal,
  ): Promise<DeadLetterDto> {
    const result = await this.deadLetters.resolve(this.dataSource, tenantId, id, principal.subject);
    if (!result) throw new NotFoundException(`dead letter ${id} does not exist`);
    if (!result.resolvedNow)
      throw new ConflictException(
        `dead letter ${id} was resolved at ${result.letter.resolvedAt!.toISOString()} by ${result.letter.resolvedBy}`,
      );
    return result.letter;
  }
}
