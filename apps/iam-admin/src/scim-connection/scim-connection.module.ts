import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { ScimConnectionController } from './scim-connection.controller';
import { ScimConnectionService } from './scim-connection.service';

/** Test connection for operators: Entra's check of a SCIM URL and token, run through the public gateway URL. */
@Module({
  imports: [AuthModule],
  controllers: [ScimConnectionController],
  providers: [ScimConnectionService],
})
export class ScimConnectionModule {}
