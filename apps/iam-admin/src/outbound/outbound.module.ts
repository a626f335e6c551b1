import { Module } from '@nestjs/common';
import { OutboundAddressPolicy } from '@app/platform';
import { IamAdminConfig } from '../config/iam-admin.config';

/** The one outbound-address (SSRF) policy of this process: webhooks and OpenID discovery share it. */
@Module({
  providers: [
    {
      provide: OutboundAddressPolicy,
      useFactory: (config: IamAdminConfig) => new OutboundAddressPolicy(config),
      inject: [IamAdminConfig],
    },
  ],
  exports: [OutboundAddressPolicy],
})
export class OutboundModule {}
