import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * API keys and their stored hashes.
 *
 * A key is `kqg_<id>_<64 hex chars>`: 256 random bits. Stored hashes are `sha256$<digest b64url>`, the SHA-256 of
 * the whole key. A slow, salted password hash buys nothing for a secret of 256 random bits — nobody can guess
 * such a key, from its hash or otherwise — while it costs the gateway tens of milliseconds of CPU per wrong key,
 * which is what an anonymous caller can make it spend (see docs/security.md "Partner API keys").
 *
 * Hashes of the earlier format, `scrypt$<N>$<r>$<p>$<salt b64url>$<hash b64url>`, are still verified so that
 * existing key files keep working; the gateway warns about them at start-up and they should be re-created.
 */
const KEY_PREFIX = 'kqg_';
const SECRET_HEX_LENGTH = 64;
const SHA256_PREFIX = 'sha256$';
const SHA256_BYTES = 32;

export interface ParsedApiKey {
  readonly id: string;
  readonly key: string;
}

/** A stored hash, parsed once when the key file is read. */
export type StoredApiKeyHash =
  | { readonly kind: 'sha256'; readonly digest: Buffer }
  | {
      readonly kind: 'scrypt';
      readonly cost: ScryptOptions;
      readonly salt: Buffer;
      readonly hash: Buffer;
    };

/** A new key for partner `id`: `kqg_<id>_<64 hex chars>`; the id lets the gateway find the entry without a scan. */
export function generateApiKey(id: string): string {
  assertKeyId(id);
  return `${KEY_PREFIX}${id}_${randomBytes(SECRET_HEX_LENGTH / 2).toString('hex')}`;
}

export function assertKeyId(id: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(id)) {
    throw new Error(`API key id ${JSON.stringify(id)} must be 1-64 letters, digits, '.', '_' or '-'`);
  }
}

/** Splits a presented key into its id and the full key, or undefined when it is not in kqlgate's key format. */
export function parseApiKey(presented: string): ParsedApiKey | undefined {
  if (!presented.startsWith(KEY_PREFIX) || presented.length <= KEY_PREFIX.length + SECRET_HEX_LENGTH + 1) {
    return undefined;
  }
  const separator = presented.length - SECRET_HEX_LENGTH - 1;
  if (presented[separator] !== '_' || !/^[0-9a-f]+$/.test(presented.slice(separator + 1))) {
    return undefined;
  }
  return { id: presented.slice(KEY_PREFIX.length, separator), key: presented };
}

export function isApiKeyFormat(presented: string): boolean {
  return presented.startsWith(KEY_PREFIX);
}

/** The stored form of a key: `sha256$<digest b64url>`. */
export function hashApiKey(key: string): string {
  return `${SHA256_PREFIX}${sha256(key).toString('base64url')}`;
}

/**
 * A hash in the earlier scrypt format. kqlgate no longer writes it; tests and the bench use it to build the key
 * files of a deployment that has not migrated yet.
 */
export async function legacyScryptApiKeyHash(key: string): Promise<string> {
  const cost = { N: 16_384, r: 8, p: 1 };
  const salt = randomBytes(16);
  const hash = await scryptAsync(key, salt, 32, cost);
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

export function sha256(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}

/**
 * Whether `key` matches `stored`, comparing in constant time; false (never throws) on a malformed hash. A scrypt
 * hash costs what its parameters say (≈ 50 ms for the N=16384 the earlier format used).
 */
export async function verifyApiKey(key: string, stored: string | StoredApiKeyHash): Promise<boolean> {
  const parsed = typeof stored === 'string' ? parseStoredHash(stored) : stored;
  if (!parsed) {
    return false;
  }
  if (parsed.kind === 'sha256') {
    return timingSafeEqual(sha256(key), parsed.digest);
  }
  const actual = await scryptAsync(key, parsed.salt, parsed.hash.length, parsed.cost);
  return timingSafeEqual(actual, parsed.hash);
}

export function isValidStoredHash(stored: string): boolean {
  return parseStoredHash(stored) !== undefined;
}

export function parseStoredHash(stored: string): StoredApiKeyHash | undefined {
  if (stored.startsWith(SHA256_PREFIX)) {
    const encoded = stored.slice(SHA256_PREFIX.length);
    const digest = Buffer.from(encoded, 'base64url');
    // Re-encoding must give the text back: Buffer.from silently skips characters outside base64url.
    return digest.length === SHA256_BYTES && digest.toString('base64url') === encoded
      ? { kind: 'sha256', digest }
      : undefined;
  }
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') {
    return undefined;
  }
  const [N, r, p] = parts.slice(1, 4).map(Number);
  const salt = Buffer.from(parts[4], 'base64url');
  const hash = Buffer.from(parts[5], 'base64url');
  if (![N, r, p].every((n) => Number.isInteger(n) && n > 0) || salt.length < 8 || hash.length < 16) {
    return undefined;
  }
  return { kind: 'scrypt', cost: { N, r, p, maxmem: 256 * N * r + 1024 * 1024 }, salt, hash };
}

function scryptAsync(key: string, salt: Buffer, length: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(key, salt, length, options, (error, derived) => (error ? reject(error) : resolve(derived)));
  });
}
