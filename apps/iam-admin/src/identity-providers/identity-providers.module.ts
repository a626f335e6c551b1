import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { IdentityProviderEntity, ScimTokenEntity } from '@app/database';
import { OutboundModule } from '../outbound/outbound.module';
import { ScimAccessAnnouncerModule } from '../scim-tokens/scim-access-announcer';
import { IdentityProvidersController } from './identity-providers.controller';
import { IdentityProvidersService } from './identity-providers.service';

@Module({
  imports: [
    TypeOrmModule.forFeature([IdentityProviderEntity, ScimTokenEntity]),
    ScimAccessAnnouncerModule,
    OutboundModule,
  ],
  controllers: [IdentityProvidersController],
  providers: [IdentityProvidersService],
  exports: [IdentityProvidersService],
})
export class IdentityProvidersModule {}
