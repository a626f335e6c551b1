import { Global, Module } from '@nestjs/common';
import { IamAdminConfig } from '../config/iam-admin.config';
import { SecretCipher } from './secret-cipher';
import { secretKeyRing } from './secret-keys';

@Global()
@Module({
  providers: [
    {
      provide: SecretCipher,
      inject: [IamAdminConfig],
      useFactory: (c: IamAdminConfig) => new SecretCipher(secretKeyRing(c)),
    },
  ],
  exports: [SecretCipher],
})
export class CryptoModule {}
