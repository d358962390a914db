import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * API keys are stored only as salted scrypt hashes: `scrypt$<N>$<r>$<p>$<salt b64url>$<hash b64url>`. The cost
 * parameters travel with each hash so they can be raised later without invalidating existing keys.
 */
const KEY_PREFIX = 'kqg_';
const SECRET_HEX_LENGTH = 64;
const DEFAULT_COST = { N: 16_384, r: 8, p: 1 } as const;
const HASH_BYTES = 32;

export interface ParsedApiKey {
  readonly id: string;
  readonly key: string;
}

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

export async function hashApiKey(key: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(key, salt, HASH_BYTES, DEFAULT_COST);
  const { N, r, p } = DEFAULT_COST;
  return ['scrypt', N, r, p, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

/** Constant-time comparison of a presented key against a stored hash; false (never throws) on a malformed hash. */
export async function verifyApiKey(key: string, stored: string): Promise<boolean> {
  const parsed = parseStoredHash(stored);
  if (!parsed) {
    return false;
  }
  const actual = await scryptAsync(key, parsed.salt, parsed.hash.length, parsed.cost);
  return actual.length === parsed.hash.length && timingSafeEqual(actual, parsed.hash);
}

export function isValidStoredHash(stored: string): boolean {
  return parseStoredHash(stored) !== undefined;
}

/** A fast fingerprint of a presented key, so a verified key need not pay scrypt again on every request. */
export function apiKeyFingerprint(key: string): string {
  return createHash('sha256').update(key).digest('base64url');
}

function parseStoredHash(stored: string) {
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
  return { cost: { N, r, p, maxmem: 256 * N * r + 1024 * 1024 }, salt, hash };
}

function scryptAsync(key: string, salt: Buffer, length: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(key, salt, length, options, (error, derived) => (error ? reject(error) : resolve(derived)));
  });
}
