import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, tempDir } from '../../../test/utils/temp-dir.js';
import {
  generateApiKey,
  hashApiKey,
  legacyScryptApiKeyHash,
  parseApiKey,
  verifyApiKey,
} from './api-key-hasher.js';
import { ApiKeyStore, parseApiKeysDocument } from './api-key.store.js';
import { AuthErrorCode, type AuthError } from './auth-error.js';

describe(ApiKeyStore.name, () => {
  let dir: string;
  let key: string;
  let hash: string;

  beforeAll(async () => {
    dir = await tempDir('apikeys');
    key = generateApiKey('acme-corp');
    hash = hashApiKey(key);
  });
  afterAll(() => removeDir(dir));

  describe('load', () => {
    it('should load YAML and authenticate a key with its roles and claims', async () => {
      const path = join(dir, 'keys.yaml');
      await writeFile(
        path,
        `keys:\n  - id: acme-corp\n    hash: ${hash}\n    roles: [partner]\n    claims: { tid: tenant-a }\n`,
      );
      const store = await ApiKeyStore.load(path);
      await expect(store.authenticate(key)).resolves.toMatchObject({
        id: 'apikey:acme-corp',
        roles: ['partner'],
        claims: { tid: 'tenant-a' },
        method: 'api-key',
        anonymous: false,
      });
    });

    it('should load JSON', async () => {
      const path = join(dir, 'keys.json');
      await writeFile(path, JSON.stringify([{ id: 'acme-corp', hash, roles: [] }]));
      expect((await ApiKeyStore.load(path)).size).toBe(1);
    });

    it('should name the entry with a bad hash', async () => {
      const path = join(dir, 'bad.yaml');
      await writeFile(path, 'keys:\n  - id: x\n    hash: plain-text-key\n');
      await expect(ApiKeyStore.load(path)).rejects.toThrow(
        `API_KEYS_FILE ${path}: keys[0] (x): "hash" must be sha256$<digest> as printed by \`npx kqlgate token --new-api-key x\` (or an earlier scrypt$N$r$p$salt$hash)`,
      );
    });
  });

  describe('authenticate', () => {
    it('should reject a wrong secret for a known id', async () => {
      const store = ApiKeyStore.fromEntries([{ id: 'acme-corp', hash, roles: [], scopes: [], claims: {} }]);
      const wrong = generateApiKey('acme-corp');
      await expect(store.authenticate(wrong)).rejects.toMatchObject({
        code: AuthErrorCode.InvalidApiKey,
        message: 'API key is not valid',
      });
    });

    it('should refuse an unknown id exactly as a wrong secret for a known id', async () => {
      const store = ApiKeyStore.fromEntries([{ id: 'acme-corp', hash, roles: [], scopes: [], claims: {} }]);
      const refusal = (presented: string) =>
        store.authenticate(presented).then(
          () => undefined,
          (error: AuthError) => ({ code: error.code, message: error.message, details: error.details }),
        );
      const wrongSecret = await refusal(generateApiKey('acme-corp'));
      expect(wrongSecret).toEqual({
        code: AuthErrorCode.InvalidApiKey,
        message: 'API key is not valid',
        details: { keyId: 'acme-corp' },
      });
      // Only the id the caller sent differs: nothing in the answer says whether it exists.
      expect(await refusal(generateApiKey('acme-corq'))).toEqual({
        ...wrongSecret,
        details: { keyId: 'acme-corq' },
      });
    });

    it('should still verify an entry hashed with scrypt, and list it as legacy', async () => {
      const legacyKey = generateApiKey('old-partner');
      const store = ApiKeyStore.fromEntries([
        { id: 'acme-corp', hash, roles: [], scopes: [], claims: {} },
        {
          id: 'old-partner',
          hash: await legacyScryptApiKeyHash(legacyKey),
          roles: ['partner'],
          scopes: [],
          claims: {},
        },
      ]);
      expect(store.legacyKeyIds()).toEqual(['old-partner']);
      await expect(store.authenticate(legacyKey)).resolves.toMatchObject({ id: 'apikey:old-partner' });
      await expect(store.authenticate(generateApiKey('old-partner'))).rejects.toMatchObject({
        code: AuthErrorCode.InvalidApiKey,
      });
    });

    it('should reject an unknown id and a malformed key', async () => {
      const store = ApiKeyStore.fromEntries([{ id: 'acme-corp', hash, roles: [], scopes: [], claims: {} }]);
      await expect(store.authenticate(generateApiKey('other'))).rejects.toMatchObject({
        code: AuthErrorCode.InvalidApiKey,
      });
      await expect(store.authenticate('kqg_short')).rejects.toMatchObject({
        code: AuthErrorCode.InvalidApiKey,
      });
    });
  });

  describe('recall', () => {
    it('should remember only keys that verified', async () => {
      const store = ApiKeyStore.fromEntries([{ id: 'acme-corp', hash, roles: [], scopes: [], claims: {} }]);
      const wrong = generateApiKey('acme-corp');
      expect(store.recall(key)).toBeUndefined();
      await store.authenticate(key);
      await expect(store.authenticate(wrong)).rejects.toThrow('API key is not valid');
      expect(store.recall(key)).toMatchObject({ id: 'apikey:acme-corp' });
      expect(store.recall(wrong)).toBeUndefined();
    });
  });
});

describe('api-key-hasher', () => {
  it('should parse ids that contain underscores', () => {
    const key = generateApiKey('a_b');
    expect(parseApiKey(key)).toEqual({ id: 'a_b', key });
  });

  it('should hash a key as sha256$ and verify only the exact key', async () => {
    const key = generateApiKey('p');
    const stored = hashApiKey(key);
    expect(stored).toMatch(/^sha256\$[\w-]{43}$/);
    await expect(verifyApiKey(key, stored)).resolves.toBe(true);
    await expect(verifyApiKey(`${key.slice(0, -1)}0`, stored)).resolves.toBe(key.endsWith('0'));
    await expect(verifyApiKey(key, 'sha256$tooshort')).resolves.toBe(false);
  });

  it('should verify a legacy scrypt hash', async () => {
    const key = generateApiKey('p');
    const stored = await legacyScryptApiKeyHash(key);
    expect(stored).toMatch(/^scrypt\$16384\$8\$1\$[\w-]+\$[\w-]+$/);
    await expect(verifyApiKey(key, stored)).resolves.toBe(true);
    await expect(verifyApiKey(generateApiKey('p'), stored)).resolves.toBe(false);
    await expect(verifyApiKey(key, 'scrypt$1$1$1$x$y')).resolves.toBe(false);
  });

  it('should name an entry without a valid hash', () => {
    expect(() => parseApiKeysDocument({ keys: [{ id: 'a', hash: 'x' }, { id: 'a' }] }, 'f')).toThrow(
      /keys\[0\] \(a\): "hash" must be/,
    );
  });
});
