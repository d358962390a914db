import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: { dir: string; version: string } | undefined;

/**
 * kqlgate's package directory and version, found by walking up from this file to its package.json (this file sits
 * at a different depth in `src/` under the test runner and in `dist/src/` when built). Read once.
 */
export function kqlgatePackage(): { dir: string; version: string } {
  if (cached === undefined) {
    let dir = dirname(fileURLToPath(import.meta.url));
    for (;;) {
      const candidate = join(dir, 'package.json');
      if (existsSync(candidate)) {
        const manifest = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string; version?: string };
        if (manifest.name === 'kqlgate' && manifest.version) {
          cached = { dir, version: manifest.version };
          break;
        }
      }
      const parent = dirname(dir);
      if (parent === dir) {
        throw new Error(`package.json of kqlgate not found above ${fileURLToPath(import.meta.url)}`);
      }
      dir = parent;
    }
  }
  return cached;
}
