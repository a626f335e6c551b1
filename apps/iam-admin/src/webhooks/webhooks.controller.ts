import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { AdminAccess, TenantId } from '../auth/admin-access.decorator';
import { AdminPermission } from '../auth/admin-principal';
import { pageOf, PageQueryDto } from '../page.dto';
import {
  WebhookCreateDto,
  WebhookCreateResponseDto,
  WebhookDeadLetterDto,
  WebhookResponseDto,
} from './webhook.dto';
import { WebhooksService } from './webhooks.service';

/** Signed webhooks: subject-change events for consumers outside the Redis network. */
@ApiTags('webhooks')
@AdminAccess({ permission: AdminPermission.IamAdmin, tenantScoped: true })
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  create(@TenantId() tenantId: string, @Body() dto: WebhookCreateDto): Promise<WebhookCreateResponseDto> {
    return this.webhooks.create(tenantId, dto);
  }

  @Get()
  list(@TenantId() tenantId: string): Promise<WebhookResponseDto[]> {
    return this.webhooks.list(tenantId);
  }

  @Delete(':id')
  @HttpCode(204)
  delete(@TenantId() tenantId: string, @Param('id') id: string): Promise<void> {
    return this.webhooks.delete(tenantId, id);
  }

  /** Deliveries that failed every attempt, newest first. */
  @Get(':id/dead-letters')
  deadLetters(
    @TenantId() tenantId: string,
    @Param('id') id: string,
    @Query() page: PageQueryDto,
  ): Promise<WebhookDeadLetterDto[]> {
    return this.webhooks.deadLetters(tenantId, id, pageOf(page));
  }
}
