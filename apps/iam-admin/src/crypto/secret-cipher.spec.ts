import { randomBytes } from 'node:crypto';
import { SecretCipher } from './secret-cipher';

describe('SecretCipher', () => {
  const cipher = new SecretCipher(randomBytes(32).toString('base64'));

  it('round-trips a secret and never emits the plaintext', () => {
    const sealed = cipher.encrypt('my-client-secret');
    expect(sealed).not.toContain('my-client-secret');
    expect(sealed.startsWith('v1.')).toBe(true);
    expect(cipher.decrypt(sealed)).toBe('my-client-secret');
  });

  it('uses a fresh IV each time', () => {
    expect(cipher.encrypt('x')).not.toBe(cipher.encrypt('x'));
  });

  it('rejects a tampered ciphertext', () => {
    const sealed = cipher.encrypt('secret');
    const parts = sealed.split('.');
    parts[3] = Buffer.from('tampered').toString('base64url');
    expect(() => cipher.decrypt(parts.join('.'))).toThrow();
  });

  it('rejects a ciphertext sealed with another key', () => {
    const other = new SecretCipher(randomBytes(32).toString('base64'));
    expect(() => other.decrypt(cipher.encrypt('secret'))).toThrow();
  });

  it('refuses a key of the wrong length', () => {
    expect(() => new SecretCipher(randomBytes(16).toString('base64'))).toThrow('32 bytes');
  });
});
