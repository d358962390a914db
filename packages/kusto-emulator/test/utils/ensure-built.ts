import { join, resolve } from 'node:path';

export const packageRoot = resolve(import.meta.dirname, '..', '..');

/**
 * Where this package's dist/ is built. The test run's global setup (test/global-build.ts at the repository root) builds it
 * once before any test, so tests can run what a user runs: the `kusto-emulator` bin as a child process, and the compiler thread (a worker thread loads JavaScript).
 */
export function ensureBuilt(): Promise<string> {
  return Promise.resolve(join(packageRoot, 'dist'));
}
