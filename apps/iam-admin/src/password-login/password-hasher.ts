import { Injectable } from '@nestjs/common';
import { hash, verify } from '@node-rs/argon2';
import { randomBytes } from 'node:crypto';

/**
 * argon2id with OWASP's minimum parameters (19 MiB, 2 passes, 1 lane): @node-rs/argon2's default
 * algorithm is argon2id; the parameters are written out so that a library change cannot lower them.
 */
const PARAMETERS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

/** Built-in passwords: hashed with argon2id, and verified in comparable time whether or not a user exists. */
@Injectable()
export class PasswordHasher {
  /** The hash of a random password no one knows: verified against when there is no user (or no password). */
  private readonly dummy = hash(randomBytes(32).toString('base64url'), PARAMETERS);

  hash(password: string): Promise<string> {
    return hash(password, PARAMETERS);
  }

  /** False for no hash, after the same work as a real verification (no timing difference to probe). */
  async verify(passwordHash: string | null | undefined, password: string): Promise<boolean> {
    if (!passwordHash) {
      await verify(await this.dummy, password);
      return false;
    }
    return verify(passwordHash, password);
  }
}
