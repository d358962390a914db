import { join, resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '..', '..');

/**
 * Where the app's dist/ (and the packages') is built. The test run's global setup (test/global-build.ts at the repository root) builds it
 * once before any test, so tests can run what a user runs: the real CLI (`node bin/kqlgate.js …`) as a child process.
 */
export function ensureBuilt(): Promise<string> {
  return Promise.resolve(join(repoRoot, 'dist'));
}
