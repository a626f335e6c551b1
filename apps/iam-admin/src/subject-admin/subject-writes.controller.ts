import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { AdminAccess, Principal, TenantId } from '../auth/admin-access.decorator';
import { AdminPermission, AdminPrincipal } from '../auth/admin-principal';
import {
  InvitationResponseDto,
  SubjectCreateDto,
  SubjectCreateResponseDto,
  SubjectLoginResponseDto,
  SubjectUpdateDto,
} from './subject-writes.dto';
import { SubjectResponseDto } from '../subjects/subjects.dto';
import { SubjectWritesService } from './subject-writes.service';

/** Operator writes on subjects, beside the reads of SubjectsController on the same prefix. */
@ApiTags('subjects')
@AdminAccess({ permission: AdminPermission.IamAdmin, tenantScoped: true })
@ApiNotFoundResponse({ description: 'No such subject in this tenant' })
@Controller('v1/subjects')
export class SubjectWritesController {
  constructor(private readonly subjects: SubjectWritesService) {}

  @Post()
  @ApiCreatedResponse({
    type: SubjectCreateResponseDto,
    description: 'A built-in user comes with a one-time invitation to set a password',
  })
  @ApiBadRequestResponse({
    description: 'A field is invalid or the tenant policy refuses a value (message names it)',
  })
  @ApiConflictResponse({ description: 'userName is already taken in this tenant' })
  create(
    @TenantId() tenantId: string,
    @Body() dto: SubjectCreateDto,
    @Principal() principal: AdminPrincipal,
  ): Promise<SubjectCreateResponseDto> {
    return this.subjects.create(tenantId, dto, principal);
  }

  @Patch(':id')
  @ApiOkResponse({ type: SubjectResponseDto })
  @ApiConflictResponse({
    description: 'An attribute Entra owns on a SCIM-managed user, or loginMethod built-in for one',
  })
  patch(
    @TenantId() tenantId: string,
    @Param('id') id: string,
    @Body() dto: SubjectUpdateDto,
    @Principal() principal: AdminPrincipal,
  ): Promise<SubjectResponseDto> {
    return this.subjects.patch(tenantId, id, dto, principal);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Deprovisioned (SCIM-managed subjects too)' })
  delete(
    @TenantId() tenantId: string,
    @Param('id') id: string,
    @Principal() principal: AdminPrincipal,
  ): Promise<void> {
    return this.subjects.delete(tenantId, id, principal);
  }

  @Get(':id/login')
  @ApiOkResponse({ type: SubjectLoginResponseDto })
  login(@TenantId() tenantId: string, @Param('id') id: string): Promise<SubjectLoginResponseDto> {
    return this.subjects.login(tenantId, id);
  }

  @Post(':id/invitation')
  @ApiCreatedResponse({
    type: InvitationResponseDto,
    description: 'Shown only now; any earlier invitation stops working',
  })
  @ApiConflictResponse({ description: 'The user signs in with Entra ID' })
  invite(@TenantId() tenantId: string, @Param('id') id: string): Promise<InvitationResponseDto> {
    return this.subjects.invite(tenantId, id);
  }
}
