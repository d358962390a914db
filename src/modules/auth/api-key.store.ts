import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { LRUCache } from 'lru-cache';
import { parse as parseYaml } from 'yaml';
import { AuthError, AuthErrorCode } from './auth-error.js';
import {
  isValidStoredHash,
  parseApiKey,
  parseStoredHash,
  sha256,
  verifyApiKey,
  type StoredApiKeyHash,
} from './api-key-hasher.js';
import type { Principal } from './principal.js';

export interface ApiKeyEntry {
  readonly id: string;
  readonly hash: string;
  readonly roles: readonly string[];
  readonly scopes: readonly string[];
  /** Claims the key carries, e.g. `{ tid: "…" }`; claim-bound function parameters read their value from here. */
  readonly claims: Readonly<Record<string, string | number | boolean>>;
}

interface LoadedEntry extends ApiKeyEntry {
  readonly parsedHash: StoredApiKeyHash;
}

/**
 * Partner API keys from `API_KEYS_FILE` (JSON or YAML):
 *
 * ```yaml
 * keys:
 *   - id: acme                     # the part between `kqg_` and the secret in the key itself
 *     hash: sha256$…               # from `npx kqlgate token --new-api-key acme`
 *     roles: [partner]
 *     claims: { tid: 3f2a… }       # bound claims: functions binding tenantId ← tid see only this tenant
 * ```
 *
 * A presented key is looked up by its id and its SHA-256 compared with the entry's in constant time. A key with an
 * unknown id, or not in the key format at all, is hashed and compared just the same (against a decoy digest), so
 * the answer takes as long whether the id exists or not.
 *
 * Entries in the earlier scrypt format still verify, at ≈ 50 ms of CPU per wrong key: keys that verified are
 * remembered by SHA-256 fingerprint in a bounded LRU, so a partner pays scrypt once per replica, and the failure
 * limiter in front (AuthFailureLimiter) bounds what wrong keys can cost.
 */
export class ApiKeyStore {
  private readonly verified = new LRUCache<string, Principal>({ max: 10_000 });
  /** Compared against when no entry matches the presented id; random, so no key can match it. */
  private readonly decoy = sha256(randomBytes(32).toString('hex'));

  private constructor(private readonly entries: ReadonlyMap<string, LoadedEntry>) {}

  static empty(): ApiKeyStore {
    return new ApiKeyStore(new Map());
  }

  static fromEntries(entries: readonly ApiKeyEntry[]): ApiKeyStore {
    return new ApiKeyStore(
      new Map(
        entries.map((entry) => {
          const parsedHash = parseStoredHash(entry.hash);
          if (!parsedHash) {
            throw new Error(`API key ${entry.id}: ${hashFormatHint(entry.id)}`);
          }
          return [entry.id, { ...entry, parsedHash }];
        }),
      ),
    );
  }

  static async load(path: string): Promise<ApiKeyStore> {
    const text = await readFile(path, 'utf8');
    let document: unknown;
    try {
      document = extname(path).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
    } catch (error) {
      throw new Error(`API_KEYS_FILE ${path}: not valid JSON/YAML (${(error as Error).message})`, {
        cause: error,
      });
    }
    return ApiKeyStore.fromEntries(parseApiKeysDocument(document, path));
  }

  get size(): number {
    return this.entries.size;
  }

  /** Ids of the entries still hashed with scrypt (slow to check: re-create them). */
  legacyKeyIds(): string[] {
    return [...this.entries.values()].filter((e) => e.parsedHash.kind === 'scrypt').map((e) => e.id);
  }

  /** The principal of a key that already verified on this replica, without checking it again; else undefined. */
  recall(presented: string): Principal | undefined {
    return this.verified.get(sha256(presented).toString('base64url'));
  }

  async authenticate(presented: string): Promise<Principal> {
    const digest = sha256(presented);
    const fingerprint = digest.toString('base64url');
    const known = this.verified.get(fingerprint);
    if (known) {
      return known;
    }
    const parsed = parseApiKey(presented);
    const entry = parsed ? this.entries.get(parsed.id) : undefined;
    const valid =
      entry?.parsedHash.kind === 'scrypt'
        ? await verifyApiKey(presented, entry.parsedHash)
        : // The same hash and comparison whether or not the id exists: no timing difference tells ids apart.
          timingSafeEqual(
            digest,
            entry?.parsedHash.kind === 'sha256' ? entry.parsedHash.digest : this.decoy,
          ) && entry !== undefined;
    if (!entry || !valid) {
      throw new AuthError(AuthErrorCode.InvalidApiKey, 'API key is not valid', {
        keyId: parsed?.id,
      });
    }
    const principal: Principal = Object.freeze({
      id: `apikey:${entry.id}`,
      roles: entry.roles,
      scopes: entry.scopes,
      claims: Object.freeze({ ...entry.claims, sub: `apikey:${entry.id}` }),
      anonymous: false,
      method: 'api-key' as const,
    });
    this.verified.set(fingerprint, principal);
    return principal;
  }
}

function hashFormatHint(id: string): string {
  return `"hash" must be sha256$<digest> as printed by \`npx kqlgate token --new-api-key ${id}\` (or an earlier scrypt$N$r$p$salt$hash)`;
}

export function parseApiKeysDocument(document: unknown, source: string): ApiKeyEntry[] {
  const list: unknown = Array.isArray(document) ? document : (document as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(list)) {
    throw new Error(
      `API_KEYS_FILE ${source}: expected an object with a "keys" list (or a list) of API key entries`,
    );
  }
  const seen = new Set<string>();
  return list.map((raw: unknown, index) => {
    const where = `API_KEYS_FILE ${source}: keys[${index}]`;
    if (raw === null || typeof raw !== 'object') {
      throw new Error(`${where}: must be an object with id, hash, roles and claims`);
    }
    const item = raw as Record<string, unknown>;
    if (typeof item.id !== 'string' || item.id.length === 0) {
      throw new Error(`${where}: "id" must be a non-empty string`);
    }
    if (seen.has(item.id)) {
      throw new Error(`${where}: duplicate id ${JSON.stringify(item.id)}`);
    }
    seen.add(item.id);
    if (typeof item.hash !== 'string' || !isValidStoredHash(item.hash)) {
      throw new Error(`${where} (${item.id}): ${hashFormatHint(item.id)}`);
    }
    const claims = item.claims ?? {};
    if (claims === null || typeof claims !== 'object' || Array.isArray(claims)) {
      throw new Error(`${where} (${item.id}): "claims" must be an object of claim names to values`);
    }
    for (const [name, value] of Object.entries(claims)) {
      if (!['string', 'number', 'boolean'].includes(typeof value)) {
        throw new Error(`${where} (${item.id}): claim "${name}" must be a string, number or boolean`);
      }
    }
    return {
      id: item.id,
      hash: item.hash,
      roles: stringArray(item.roles, `${where} (${item.id}): "roles"`),
      scopes: stringArray(item.scopes, `${where} (${item.id}): "scopes"`),
      claims: claims as Record<string, string | number | boolean>,
    };
  });
}

function stringArray(value: unknown, where: string): string[] {
  if (value === undefined) {
    return [];
  }
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    throw new Error(`${where} must be a list of strings`);
  }
  return value as string[];
}
