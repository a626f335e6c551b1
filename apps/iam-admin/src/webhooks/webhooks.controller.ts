import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { AdminAccess, TenantId } from '../auth/admin-access.decorator';
import { AdminPermission } from '../auth/admin-principal';
import { pageOf, PageQueryDto } from '../page.dto';
import {
  WebhookCreateDto,
  WebhookCreateResponseDto,
  WebhookDeadLetterDto,
  WebhookDeliveryDto,
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

  /** Recent delivery attempts (the newest WEBHOOK_DELIVERY_HISTORY are kept), newest first. */
  @Get(':id/deliveries')
  @ApiOkResponse({ type: WebhookDeliveryDto, isArray: true })
  @ApiNotFoundResponse({ description: 'No such webhook in this tenant' })
  deliveries(
    @TenantId() tenantId: string,
    @Param('id') id: string,
    @Query() page: PageQueryDto,
  ): Promise<WebhookDeliveryDto[]> {
    return this.webhooks.deliveries(tenantId, id, pageOf(page));
  }

  /** Puts a dead letter's event back on the delivery queue; a letter is redelivered once (then 409). */
  @Post(':id/dead-letters/:deadLetterId/redeliver')
  @HttpCode(202)
  @ApiAcceptedResponse({ description: 'Queued for delivery; watch GET …/deliveries' })
  @ApiNotFoundResponse({ description: 'No such webhook or dead letter in this tenant' })
  @ApiConflictResponse({ description: 'Already redelivered (listed again if that delivery fails too)' })
  redeliver(
    @TenantId() tenantId: string,
    @Param('id') id: string,
    @Param('deadLetterId') deadLetterId: string,
  ): Promise<void> {
    return this.webhooks.redeliver(tenantId, id, deadLetterId);
  }

  /** Deliveries that failed every attempt, newest first. */
  @Get(':id/dead-letters')
  @ApiOkResponse({ type: WebhookDeadLetterDto, isArray: true })
  deadLetters(
    @TenantId() tenantId: string,
    @Param('id') id: string,
    @Query() page: PageQueryDto,
  ): Promise<WebhookDeadLetterDto[]> {
    return this.webhooks.deadLetters(tenantId, id, pageOf(page));
  }
}
