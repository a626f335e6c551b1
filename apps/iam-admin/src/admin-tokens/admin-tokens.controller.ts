import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiConflictResponse, ApiTags } from '@nestjs/swagger';
import { AdminAccess, Principal } from '../auth/admin-access.decorator';
import { AdminPermission, AdminPrincipal } from '../auth/admin-principal';
import { AdminTokenCreateDto, AdminTokenCreateResponseDto, AdminTokenResponseDto } from './admin-token.dto';
import { AdminTokensService } from './admin-tokens.service';

/**
 * Admin tokens: a platform admin manages every token (platform-level or any tenant's); a
 * tenant-bound admin manages its own tenant's tokens.
 */
@ApiTags('admin-tokens')
@AdminAccess({ permission: AdminPermission.IamAdmin, tenantScoped: false })
@Controller('v1/admin-tokens')
export class AdminTokensController {
  constructor(private readonly tokens: AdminTokensService) {}

  @Post()
  create(
    @Principal() creator: AdminPrincipal,
    @Body() dto: AdminTokenCreateDto,
  ): Promise<AdminTokenCreateResponseDto> {
    return this.tokens.create(creator, dto);
  }

  @Get()
  list(@Principal() caller: AdminPrincipal): Promise<AdminTokenResponseDto[]> {
    return this.tokens.list(caller);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiConflictResponse({ description: 'The last working platform admin token cannot be revoked' })
  revoke(@Principal() caller: AdminPrincipal, @Param('id', ParseUUIDPipe) id: string): Promise<void> {
    return this.tokens.revoke(caller, id);
  }
}
