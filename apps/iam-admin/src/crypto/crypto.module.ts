import { Module } from '@nestjs/common';
import { IamAdminConfig } from '../config/iam-admin.config';
import { SecretCipher } from './secret-cipher';
import { secretKeyRing } from './secret-keys';

/** The SecretCipher that seals and opens stored secrets with IAM_SECRET_KEY(S). */
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
