import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { removeDir, tempDir } from '../../../test/utils/temp-dir.js';
import { loadConfig } from '../../config/load-config.js';
import { generateApiKey, hashApiKey, legacyScryptApiKeyHash } from './api-key-hasher.js';
import { buildAuthComponents } from './auth-settings.js';

describe('auth-settings', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await tempDir('auth-settings');
  });
  afterAll(() => removeDir(dir));

  const logger = () => ({ debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() });

  describe(buildAuthComponents.name, () => {
    it('should warn once, naming them, about keys still hashed with scrypt', async () => {
      const keysFile = join(dir, 'keys.yaml');
      const entry = async (id: string, legacy: boolean) => {
        const key = generateApiKey(id);
        return `  - id: ${id}\n    hash: ${legacy ? await legacyScryptApiKeyHash(key) : hashApiKey(key)}\n`;
      };
      await writeFile(
        keysFile,
        `keys:\n${await entry('old-a', true)}${await entry('new-b', false)}${await entry('old-c', true)}`,
      );
      const log = logger();
      const components = await buildAuthComponents(
        loadConfig({
          DATA_DIR: dir,
          KQL_DIR: dir,
          API_KEYS_FILE: keysFile,
          KUSTO_CLUSTER_URL: 'https://c.kusto.windows.net',
        }),
        log,
      );
      expect(components.apiKeys.size).toBe(3);
      expect(log.warn.mock.calls).toEqual([
        [
          { keyIds: ['old-a', 'old-c'] },
          'API_KEYS_FILE: 2 key(s) still hashed with scrypt (old-a, old-c): every wrong key presented with their id costs ~50 ms of CPU; re-create each with `npx kqlgate token --new-api-key <id>` (sha256$ hash) and hand the new key to its partner',
        ],
      ]);
    });

    it('should not warn when every key has the sha256 hash', async () => {
      const keysFile = join(dir, 'new-keys.yaml');
      await writeFile(keysFile, `keys:\n  - id: p\n    hash: ${hashApiKey(generateApiKey('p'))}\n`);
      const log = logger();
      await buildAuthComponents(
        loadConfig({
          DATA_DIR: dir,
          KQL_DIR: dir,
          API_KEYS_FILE: keysFile,
          KUSTO_CLUSTER_URL: 'https://c.kusto.windows.net',
        }),
        log,
      );
      expect(log.warn).not.toHaveBeenCalled();
    });
  });
});
