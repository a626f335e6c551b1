import { Injectable } from '@nestjs/common';
import { JsonWebKey } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { Db } from '@app/database';

const KEY_LOCK = 76_437_647;

export interface SigningKeyRow {
  kid: string;
  /** The PKCS#8 private key, sealed (see SecretCipher). */
  privateKeyCiphertext: string;
  publicJwk: JsonWebKey;
}

/** The one owner of signing_keys: IAM's token-signing keys, newest first. */
@Injectable()
export class SigningKeysRepository {
  /** Serialises instances that start together on an empty table, until the transaction ends. */
  async lock(em: EntityManager): Promise<void> {
    await em.query('SELECT pg_advisory_xact_lock($1)', [KEY_LOCK]);
  }

  async insert(db: Db, key: SigningKeyRow): Promise<void> {
    await db.query(`INSERT INTO signing_keys (kid, private_key_ciphertext, public_jwk) VALUES ($1, $2, $3)`, [
      key.kid,
      key.privateKeyCiphertext,
      key.publicJwk,
    ]);
  }

  all(db: Db): Promise<SigningKeyRow[]> {
    return db.query(
      `SELECT kid, private_key_ciphertext AS "privateKeyCiphertext", public_jwk AS "publicJwk"
         FROM signing_keys ORDER BY created_at DESC`,
    );
  }
}
