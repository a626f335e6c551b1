import { ConfigurationError } from '@app/platform';

/** The id IAM_SECRET_KEY goes by; `v1` ciphertexts (written before key ids existed) were sealed with it. */
export const LEGACY_KEY_ID = 'default';

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
const KEY_BYTES = 32;

export interface SecretKey {
  id: string;
  key: Buffer;
}

/** Every key that may open a stored secret, and the one that seals new ones. */
export class SecretKeyRing {
  private readonly byId: ReadonlyMap<string, Buffer>;

  constructor(
    readonly current: SecretKey,
    keys: SecretKey[],
  ) {
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
  }

  key(id: string): Buffer | undefined {
    return this.byId.get(id);
  }
}

/**
 * Reads IAM_SECRET_KEYS (`id:base64,*id:base64`, the `*` marking the key that seals new secrets)
 * and the older single IAM_SECRET_KEY (id `default`). Rotation: stage the new key unmarked on every
 * instance, then mark it current, keep the old ones until `npm run secrets:reencrypt` has rewritten
 * every ciphertext, then drop them.
 */
export function secretKeyRing(env: { IAM_SECRET_KEY?: string; IAM_SECRET_KEYS?: string }): SecretKeyRing {
  const keys: SecretKey[] = [];
  const marked: SecretKey[] = [];
  if (env.IAM_SECRET_KEY)
    keys.push({ id: LEGACY_KEY_ID, key: decodeKey(env.IAM_SECRET_KEY, 'IAM_SECRET_KEY') });
  const listed = (env.IAM_SECRET_KEYS ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  for (const entry of listed) {
    const current = entry.startsWith('*');
    const [id, base64, ...rest] = (current ? entry.slice(1) : entry).split(':');
    if (!id || !KEY_ID.test(id) || base64 === undefined || rest.length > 0) {
      throw new ConfigurationError(
        'IAM_SECRET_KEYS: each entry must be <id>:<base64 of 32 bytes>, the id of letters, digits, _ or - (at most 32)',
      );
    }
    if (keys.some((k) => k.id === id)) {
      throw new ConfigurationError(
        id === LEGACY_KEY_ID
          ? `IAM_SECRET_KEYS: the id '${LEGACY_KEY_ID}' is IAM_SECRET_KEY's; give the key another id or unset IAM_SECRET_KEY`
          : `IAM_SECRET_KEYS: the key id '${id}' appears twice`,
      );
    }
    const key = { id, key: decodeKey(base64, `IAM_SECRET_KEYS (key '${id}')`) };
    keys.push(key);
    if (current) marked.push(key);
  }
  if (keys.length === 0) {
    throw new ConfigurationError('IAM_SECRET_KEY or IAM_SECRET_KEYS is required (openssl rand -base64 32)');
  }
  if (marked.length > 1) throw new ConfigurationError('IAM_SECRET_KEYS: mark exactly one key current with *');
  return new SecretKeyRing(marked[0] ?? implicitCurrent(keys, listed.length), keys);
}

/**
 * Without a `*`, the current key must be beyond doubt: IAM_SECRET_KEY alone, or a single
 * IAM_SECRET_KEYS entry alone. Beside IAM_SECRET_KEY an unmarked entry is a key being staged: during
 * a rolling deploy the instances that have it must not seal with it before every other can open it.
 */
function implicitCurrent(keys: SecretKey[], listed: number): SecretKey {
  if (keys.length === 1) return keys[0]!;
  if (listed === 1) {
    throw new ConfigurationError(
      'IAM_SECRET_KEY and IAM_SECRET_KEYS are both set: mark the key that seals new secrets with * ' +
        '(*<id>:… in IAM_SECRET_KEYS). To stage a new key while IAM_SECRET_KEY still seals, move it into ' +
        'IAM_SECRET_KEYS as *default:<its base64>, add the new key unmarked, and unset IAM_SECRET_KEY',
    );
  }
  throw new ConfigurationError(
    'IAM_SECRET_KEYS lists several keys: mark the one that seals new secrets with * (e.g. *k2:…)',
  );
}

function decodeKey(base64: string, name: string): Buffer {
  const key = /^[A-Za-z0-9+/]+={0,2}$/.test(base64) ? Buffer.from(base64, 'base64') : Buffer.alloc(0);
  if (key.length !== KEY_BYTES) throw new ConfigurationError(`${name} must be base64 of exactly 32 bytes`);
  return key;
}
