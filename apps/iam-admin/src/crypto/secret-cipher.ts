import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { SealedColumn } from './sealed-columns';
import { LEGACY_KEY_ID, SecretKeyRing } from './secret-keys';

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
/** Fixed: GCM would otherwise accept a truncated tag, which an attacker can forge far more cheaply. */
const TAG_BYTES = 16;

/** A stored secret that cannot be opened: wrong or missing key, tampered, or copied from another row. */
export class SealedSecretError extends Error {}

/**
 * AES-256-GCM for secrets IAM must read back (identity providers' client secrets, webhook signing
 * secrets, the token-signing key). Format `v2:<keyId>:<iv>:<ciphertext+tag>` (base64url), the
 * associated data naming the format, key, table, column and row. `v1.<iv>.<tag>.<ciphertext>`
 * (no key id, no binding, sealed with IAM_SECRET_KEY) still opens until re-encrypted.
 */
export class SecretCipher {
  constructor(private readonly keys: SecretKeyRing) {}

  encrypt(plaintext: string, column: SealedColumn, rowId: string): string {
    const { id, key } = this.keys.current;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(associatedData(id, column, rowId));
    const sealed = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return ['v2', id, iv.toString('base64url'), sealed.toString('base64url')].join(':');
  }

  decrypt(sealed: string, column: SealedColumn, rowId: string): string {
    const where = `${column.table}.${column.column} of row ${rowId}`;
    if (sealed.startsWith('v2:')) {
      const [, keyId, iv, body, ...rest] = sealed.split(':');
      const key = keyId === undefined ? undefined : this.keys.key(keyId);
      if (!key)
        throw new SealedSecretError(`${where} is sealed with key '${keyId}', which is not configured`);
      if (rest.length > 0 || iv === undefined || body === undefined) {
        throw new SealedSecretError(`${where} is not a well-formed sealed secret`);
      }
      const data = Buffer.from(body, 'base64url');
      const aad = associatedData(keyId!, column, rowId);
      return open(key, iv, data.subarray(-TAG_BYTES), data.subarray(0, -TAG_BYTES), aad, where);
    }
    const [version, iv, tag, ciphertext, ...rest] = sealed.split('.');
    const key = this.keys.key(LEGACY_KEY_ID);
    if (
      version !== 'v1' ||
      iv === undefined ||
      tag === undefined ||
      ciphertext === undefined ||
      rest.length
    ) {
      throw new SealedSecretError(`${where} is not a sealed secret of a known version`);
    }
    if (!key) throw new SealedSecretError(`${where} is a v1 secret: it needs IAM_SECRET_KEY`);
    const [tagBytes, ciphertextBytes] = [Buffer.from(tag, 'base64url'), Buffer.from(ciphertext, 'base64url')];
    return open(key, iv, tagBytes, ciphertextBytes, undefined, where);
  }

  /** Sealed in the current format with the current key: `secrets:reencrypt` leaves it alone. */
  isCurrent(sealed: string): boolean {
    return sealed.startsWith(`v2:${this.keys.current.id}:`);
  }
}

function associatedData(keyId: string, column: SealedColumn, rowId: string): Buffer {
  return Buffer.from(
    ['iam-sealed-secret', 'v2', keyId, column.table, column.column, rowId].join('\0'),
    'utf8',
  );
}

function open(
  key: Buffer,
  iv: string,
  tag: Buffer,
  ciphertext: Buffer,
  aad: Buffer | undefined,
  where: string,
): string {
  const ivBytes = Buffer.from(iv, 'base64url');
  if (ivBytes.length !== IV_BYTES || tag.length !== TAG_BYTES) {
    throw new SealedSecretError(`${where} is not a well-formed sealed secret`);
  }
  try {
    const decipher = createDecipheriv(ALGORITHM, key, ivBytes, { authTagLength: TAG_BYTES });
    if (aad) decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
  } catch {
    throw new SealedSecretError(
      `${where} does not open: another key, tampered with, or copied from another row`,
    );
  }
}
