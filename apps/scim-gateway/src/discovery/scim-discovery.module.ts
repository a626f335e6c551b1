import { Module } from '@nestjs/common';
import { ScimDiscoveryController } from './scim-discovery.controller';

@Module({ controllers: [ScimDiscoveryController] })
export class ScimDiscoveryModule {}
