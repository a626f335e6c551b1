import { Controller, Get, Query } from '@nestjs/common';
import { ApiProperty, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AdminAccess, TenantId } from '../auth/admin-access.decorator';
import { AdminPermission } from '../auth/admin-principal';
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
  async list(@TenantId() tenantId: string, @Query() query: PageQueryDto): Promise<Page<DeadLetterDto>> {
    const page = pageOf(query);
    const rows = await this.deadLetters.page(this.dataSource, tenantId, page);
    return { total: rows.total, ...page, items: rows.items };
  }
}
