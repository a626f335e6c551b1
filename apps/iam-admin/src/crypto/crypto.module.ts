import { Global, Module } from '@nestjs/common';
import { IamAdminConfig } from '../config/iam-admin.config';
import { SecretCipher } from './secret-cipher';

@Global()
@Module({
  providers: [
    {
      provide: SecretCipher,
      inject: [IamAdminConfig],
      useFactory: (c: IamAdminConfig) => new SecretCipher(c.IAM_SECRET_KEY),
    },
  ],
  exports: [SecretCipher],
})
export class CryptoModule {}
