import { Body, Controller, Header, HttpCode, Param, ParseUUIDPipe, Post, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { LoginResult } from '../sso-login/sso-login.service';
import { InvitationAcceptDto, PasswordSignInDto } from './password-login.dto';
import { AccountLockedException, PasswordLoginService } from './password-login.service';

/**
 * Public built-in sign-in endpoints (no admin token). Static `password` segments: the router
 * prefers them over the `:scheme` parameter of the Entra routes, which are GET (start, callback)
 * or end in `/token`, so no provider scheme can shadow them or be shadowed.
 */
@ApiTags('login')
@Controller('v1/login/:tenantId/password')
export class PasswordLoginController {
  constructor(private readonly passwords: PasswordLoginService) {}

  @Post()
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @Header('Pragma', 'no-cache')
  @ApiOkResponse({ description: 'The IAM access token, as after an Entra sign-in' })
  @ApiUnauthorizedResponse({
    description: 'userName or password is incorrect (the same for an unknown user)',
  })
  @ApiForbiddenResponse({
    description: 'The user signs in with Entra ID, is deactivated, or the tenant is disabled',
  })
  @ApiTooManyRequestsResponse({ description: 'Locked after repeated failures; see Retry-After' })
  async signIn(
    @Param('tenantId', new ParseUUIDPipe({ errorHttpStatusCode: 404 })) tenantId: string,
    @Body() body: PasswordSignInDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<LoginResult> {
    try {
      return await this.passwords.signIn(tenantId, body.userName, body.password);
    } catch (error) {
      if (error instanceof AccountLockedException)
        reply.header('Retry-After', String(error.retryAfterSeconds));
      throw error;
    }
  }

  @Post('invitation')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'The password is set; the invitation is used up' })
  @ApiBadRequestResponse({
    description: 'Password too short or long, or the invitation unknown, expired or used',
  })
  async acceptInvitation(
    @Param('tenantId', new ParseUUIDPipe({ errorHttpStatusCode: 404 })) tenantId: string,
    @Body() body: InvitationAcceptDto,
  ): Promise<void> {
    await this.passwords.acceptInvitation(tenantId, body.token, body.password);
  }
}
