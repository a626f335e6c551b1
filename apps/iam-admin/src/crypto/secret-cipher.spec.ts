import { createCipheriv, randomBytes, randomUUID } from 'node:crypto';
import { SEALED_COLUMNS } from './sealed-columns';
import { SealedSecretError, SecretCipher } from './secret-cipher';
import { secretKeyRing } from './secret-keys';

const newKey = () => randomBytes(32).toString('base64');
const CLIENT_SECRET = SEALED_COLUMNS.identityProviderClientSecret;

/** What the cipher wrote before key ids and row binding (v1.<iv>.<tag>.<ciphertext>). */
function sealV1(base64Key: string, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(base64Key, 'base64'), iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', iv, cipher.getAuthTag(), ciphertext]
    .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
    .join('.');
}

describe('SecretCipher', () => {
  const legacyKey = newKey();
  const cipher = new SecretCipher(secretKeyRing({ IAM_SECRET_KEY: legacyKey }));
  const rowId = randomUUID();

  it('round-trips a secret as v2:<keyId>:…, never emitting the plaintext', () => {
    const sealed = cipher.encrypt('my-client-secret', CLIENT_SECRET, rowId);
    expect(sealed).not.toContain('my-client-secret');
    expect(sealed).toMatch(/^v2:default:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]+$/);
    expect(cipher.decrypt(sealed, CLIENT_SECRET, rowId)).toBe('my-client-secret');
    expect(cipher.isCurrent(sealed)).toBe(true);
  });

  it('uses a fresh IV each time', () => {
    expect(cipher.encrypt('x', CLIENT_SECRET, rowId)).not.toBe(cipher.encrypt('x', CLIENT_SECRET, rowId));
  });

  it('refuses a ciphertext copied to another row or another column (associated data)', () => {
    const sealed = cipher.encrypt('secret', CLIENT_SECRET, rowId);
    expect(() => cipher.decrypt(sealed, CLIENT_SECRET, randomUUID())).toThrow(SealedSecretError);
    expect(() => cipher.decrypt(sealed, SEALED_COLUMNS.webhookSigningSecret, rowId)).toThrow(
      'copied from another row',
    );
  });

  it('rejects a tampered ciphertext, and a truncated tag', () => {
    const sealed = cipher.encrypt('secret', CLIENT_SECRET, rowId);
    const [v, id, iv, body] = sealed.split(':');
    const bytes = Buffer.from(body!, 'base64url');
    bytes[0]! ^= 1;
    expect(() =>
      cipher.decrypt([v, id, iv, bytes.toString('base64url')].join(':'), CLIENT_SECRET, rowId),
    ).toThrow(SealedSecretError);
    // Dropping tag bytes would make GCM verify a 4-byte tag if the length were not fixed.
    const short = Buffer.from(body!, 'base64url').subarray(0, -12).toString('base64url');
    expect(() => cipher.decrypt([v, id, iv, short].join(':'), CLIENT_SECRET, rowId)).toThrow(
      SealedSecretError,
    );
  });

  it('rejects a ciphertext sealed with another key, naming a missing key id', () => {
    const other = new SecretCipher(secretKeyRing({ IAM_SECRET_KEY: newKey() }));
    expect(() => other.decrypt(cipher.encrypt('secret', CLIENT_SECRET, rowId), CLIENT_SECRET, rowId)).toThrow(
      SealedSecretError,
    );
    const k2 = new SecretCipher(secretKeyRing({ IAM_SECRET_KEYS: `k2:${newKey()}` }));
    expect(() => k2.decrypt(cipher.encrypt('s', CLIENT_SECRET, rowId), CLIENT_SECRET, rowId)).toThrow(
      "key 'default', which is not configured",
    );
  });

  it('still opens v1 ciphertexts with IAM_SECRET_KEY, and a 4-byte v1 tag is refused', () => {
    const v1 = sealV1(legacyKey, 'old-secret');
    expect(cipher.decrypt(v1, CLIENT_SECRET, rowId)).toBe('old-secret');
    expect(cipher.isCurrent(v1)).toBe(false);
    const [v, iv, tag, ct] = v1.split('.');
    const short = Buffer.from(tag!, 'base64url').subarray(0, 4).toString('base64url');
    expect(() => cipher.decrypt([v, iv, short, ct].join('.'), CLIENT_SECRET, rowId)).toThrow(
      SealedSecretError,
    );
  });

  it('rotates: the new current key seals, every listed key still opens', () => {
    const k1 = newKey();
    const before = new SecretCipher(secretKeyRing({ IAM_SECRET_KEYS: `k1:${k1}` }));
    const sealedK1 = before.encrypt('s1', CLIENT_SECRET, rowId);
    const after = new SecretCipher(secretKeyRing({ IAM_SECRET_KEYS: `k1:${k1},*k2:${newKey()}` }));
    expect(after.decrypt(sealedK1, CLIENT_SECRET, rowId)).toBe('s1');
    expect(after.isCurrent(sealedK1)).toBe(false);
    const sealedK2 = after.encrypt('s2', CLIENT_SECRET, rowId);
    expect(sealedK2.startsWith('v2:k2:')).toBe(true);
    expect(after.isCurrent(sealedK2)).toBe(true);
  });
});

describe('secretKeyRing', () => {
  it('takes IAM_SECRET_KEY as the key "default"', () => {
    expect(secretKeyRing({ IAM_SECRET_KEY: newKey() }).current.id).toBe('default');
  });

  it('takes a single unmarked IAM_SECRET_KEYS entry as current when it is the only key', () => {
    expect(secretKeyRing({ IAM_SECRET_KEYS: `k1:${newKey()}` }).current.id).toBe('k1');
  });

  it('never makes a staged key current unmarked: beside IAM_SECRET_KEY the current key needs its *', () => {
    // A rolling deploy stages a new key on one instance first; sealing with it there at once would
    // write secrets the instances still on the old configuration cannot open.
    expect(() => secretKeyRing({ IAM_SECRET_KEY: newKey(), IAM_SECRET_KEYS: `k2:${newKey()}` })).toThrow(
      'IAM_SECRET_KEY and IAM_SECRET_KEYS are both set: mark the key that seals new secrets with *',
    );
    expect(secretKeyRing({ IAM_SECRET_KEY: newKey(), IAM_SECRET_KEYS: `*k2:${newKey()}` }).current.id).toBe(
      'k2',
    );
    // Staging while the old key still seals: it moves into IAM_SECRET_KEYS under its id, marked.
    const staged = secretKeyRing({ IAM_SECRET_KEYS: `*default:${newKey()},k2:${newKey()}` });
    expect(staged.current.id).toBe('default');
    expect(staged.key('k2')).toBeDefined();
  });

  it('refuses what would leave the current key ambiguous or a key unreadable', () => {
    expect(() => secretKeyRing({})).toThrow('IAM_SECRET_KEY or IAM_SECRET_KEYS is required');
    expect(() => secretKeyRing({ IAM_SECRET_KEYS: `k1:${newKey()},k2:${newKey()}` })).toThrow('mark the one');
    expect(() => secretKeyRing({ IAM_SECRET_KEYS: `*k1:${newKey()},*k2:${newKey()}` })).toThrow(
      'exactly one',
    );
    expect(() => secretKeyRing({ IAM_SECRET_KEYS: `k1:${newKey()},*k1:${newKey()}` })).toThrow(
      'appears twice',
    );
    expect(() =>
      secretKeyRing({ IAM_SECRET_KEY: newKey(), IAM_SECRET_KEYS: `*default:${newKey()}` }),
    ).toThrow("IAM_SECRET_KEY's");
    expect(() => secretKeyRing({ IAM_SECRET_KEYS: `k1:${randomBytes(16).toString('base64')}` })).toThrow(
      '32 bytes',
    );
    expect(() => secretKeyRing({ IAM_SECRET_KEYS: `k:1:${newKey()}` })).toThrow('<id>:<base64');
  });
});
