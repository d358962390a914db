import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

/**
 * Vitest global setup, run once per `vitest run` before any project: builds dist/ and every package's dist/ the way
 * `npm start` does (scripts/build-if-needed.mjs: `tsc -b` when a source is newer than the last build), because many
 * tests run what a user runs — the `kqlgate`, `kusto-emulator` and `servicebus-emulator` bins as child processes,
 * worker threads that load JavaScript. One build here instead of one per test file, so no lock between workers.
 */
export default function buildOnce(): void {
  const root = resolve(import.meta.dirname, '..');
  execFileSync(process.execPath, [resolve(root, 'scripts', 'build-if-needed.mjs')], {
    cwd: root,
    stdio: 'inherit',
  });
}
