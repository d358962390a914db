import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const repoRoot = resolve(import.meta.dirname, '..', '..');

const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');

/**
 * Builds `dist/` and the packages' dist/ (`tsc -b`) so that tests can spawn the real CLI (`node bin/kqlgate.js …`)
 * as a child process — the way a user runs it. Serialised across vitest workers, and with the packages' own test
 * builds, by a lock in node_modules/.cache beside the compiler (`tsc -b` skips what is up to date).
 */
export async function ensureBuilt(): Promise<string> {
  const lockDir = join(dirname(dirname(dirname(tsc))), '.cache', 'tsc-build-lock');
  mkdirSync(dirname(lockDir), { recursive: true });
  mkdirSync(join(repoRoot, 'dist'), { recursive: true });
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      mkdirSync(lockDir);
      break;
    } catch {
      // Another worker is building; a lock older than 5 minutes is a leftover from a killed run.
      if (existsSync(lockDir) && Date.now() - statSync(lockDir).mtimeMs > 300_000) {
        rmSync(lockDir, { recursive: true, force: true });
      }
      if (Date.now() > deadline) {
        throw new Error('ensureBuilt: timed out waiting for another build to finish');
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    await run(process.execPath, [tsc, '-b', join(repoRoot, 'tsconfig.build.json')], {
      cwd: repoRoot,
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    // Exit code 2 means "type errors, but output emitted": type errors are the lint gate's job (`npm run lint`
    // runs tsc --noEmit), so a test that only needs the JavaScript can go on; anything else is fatal.
    const { code, stdout } = error as { code?: number; stdout?: string };
    if (code !== 2) {
      throw new Error(`ensureBuilt: tsc failed:\n${(stdout ?? '').slice(0, 4000)}`, { cause: error });
    }
    process.stderr.write(
      `ensureBuilt: tsc reported type errors (output emitted):\n${(stdout ?? '').slice(0, 2000)}\n`,
    );
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
  const touched = openSync(join(repoRoot, 'dist', '.built'), 'w');
  closeSync(touched);
  return join(repoRoot, 'dist');
}
