import { createHash, randomBytes } from 'node:crypto';

/**
 * Bearer secrets carry a recognisable prefix so secret scanners can spot a leaked one, and
 * 256 bits of randomness so a fast digest (not a slow password KDF) is the right way to store
 * them: the digest is looked up on every request.
 */
export const SECRET_PREFIX = {
  scimToken: 'scim_',
  adminToken: 'iamadm_',
} as const;

export function generateBearerSecret(prefix: string): string {
  return prefix + randomBytes(32).toString('base64url');
}

/** Hex SHA-256 of a presented bearer secret: the only form in which one is stored. */
export function digestBearerSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}
