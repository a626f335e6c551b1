import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createPrivateKey, generateKeyPairSync, JsonWebKey, KeyObject, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { SEALED_COLUMNS } from '../crypto/sealed-columns';
import { SecretCipher } from '../crypto/secret-cipher';
import { SigningKeysRepository } from './signing-keys.repository';

/**
 * IAM's token-signing key (RS256). Made once per installation and kept in the database with the
 * private half sealed by IAM_SECRET_KEY, so every instance signs with the same key and internal
 * services verify through the published JWKS.
 */
@Injectable()
export class SigningKeysService implements OnModuleInit {
  private current!: { kid: string; privateKey: KeyObject };
  private jwks!: { keys: JsonWebKey[] };

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly keys: SigningKeysRepository,
    private readonly cipher: SecretCipher,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      await this.keys.lock(em);
      if ((await this.keys.all(em)).length > 0) return;
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const kid = randomUUID();
      const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
      const jwk = { ...publicKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' };
      await this.keys.insert(em, {
        kid,
        privateKeyCiphertext: this.cipher.encrypt(pem, SEALED_COLUMNS.tokenSigningKey, kid),
        publicJwk: jwk,
      });
    });
    const rows = await this.keys.all(this.dataSource);
    let pem: string;
    try {
      pem = this.cipher.decrypt(rows[0]!.privateKeyCiphertext, SEALED_COLUMNS.tokenSigningKey, rows[0]!.kid);
    } catch {
      throw new Error(
        'IAM_SECRET_KEY or IAM_SECRET_KEYS cannot open the stored signing key: configure the key it was sealed with',
      );
    }
    this.current = { kid: rows[0]!.kid, privateKey: createPrivateKey(pem) };
    this.jwks = { keys: rows.map((r) => r.publicJwk) };
  }

  signingKey(): { kid: string; privateKey: KeyObject } {
    return this.current;
  }

  publicJwks(): { keys: JsonWebKey[] } {
    return this.jwks;
  }
}
