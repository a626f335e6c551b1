import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createPrivateKey, generateKeyPairSync, JsonWebKey, KeyObject, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { SEALED_COLUMNS } from '../crypto/sealed-columns';
import { SecretCipher } from '../crypto/secret-cipher';

const KEY_LOCK = 76_437_647;

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
    private readonly cipher: SecretCipher,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      await em.query('SELECT pg_advisory_xact_lock($1)', [KEY_LOCK]);
      const [existing] = await em.query(`SELECT kid FROM signing_keys LIMIT 1`);
      if (existing) return;
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const kid = randomUUID();
      const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
      const jwk = { ...publicKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' };
      await em.query(
        `INSERT INTO signing_keys (kid, private_key_ciphertext, public_jwk) VALUES ($1, $2, $3)`,
        [kid, this.cipher.encrypt(pem, SEALED_COLUMNS.tokenSigningKey, kid), jwk],
      );
    });
    const rows: Array<{ kid: string; private_key_ciphertext: string; public_jwk: JsonWebKey }> =
      await this.dataSource.query(
        `SELECT kid, private_key_ciphertext, public_jwk FROM signing_keys ORDER BY created_at DESC`,
      );
    let pem: string;
    try {
      pem = this.cipher.decrypt(
        rows[0]!.private_key_ciphertext,
        SEALED_COLUMNS.tokenSigningKey,
        rows[0]!.kid,
      );
    } catch {
      throw new Error(
        'IAM_SECRET_KEY or IAM_SECRET_KEYS cannot open the stored signing key: configure the key it was sealed with',
      );
    }
    this.current = { kid: rows[0]!.kid, privateKey: createPrivateKey(pem) };
    this.jwks = { keys: rows.map((r) => r.public_jwk) };
  }

  signingKey(): { kid: string; privateKey: KeyObject } {
    return this.current;
  }

  publicJwks(): { keys: JsonWebKey[] } {
    return this.jwks;
  }
}
