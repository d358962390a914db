import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const packageRoot = resolve(import.meta.dirname, '..', '..');

/**
 * Builds this package's dist/ (and the packages it references) with `tsc -b`, so that tests can run the demo's
 * JavaScript in a process of its own (fixtures/). One build at a time across test workers, and across the other
 * projects of a repository building with the same compiler: the lock sits in node_modules/.cache beside that
 * compiler. `tsc -b` skips what is up to date.
 */
export async function ensureBuilt(): Promise<string> {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const lockDir = join(dirname(dirname(dirname(tsc))), '.cache', 'tsc-build-lock');
  mkdirSync(dirname(lockDir), { recursive: true });
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
    await run(process.execPath, [tsc, '-b', join(packageRoot, 'tsconfig.build.json')], {
      cwd: packageRoot,
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    // Exit code 2 means "type errors, but output emitted": type errors are the lint gate's job, so a test that only
    // needs the JavaScript can go on; anything else is fatal.
    const { code, stdout } = error as { code?: number; stdout?: string };
    if (code !== 2) {
      throw new Error(`ensureBuilt: tsc -b failed:\n${(stdout ?? '').slice(0, 4000)}`, { cause: error });
    }
    process.stderr.write(
      `ensureBuilt: tsc reported type errors (output emitted):\n${(stdout ?? '').slice(0, 2000)}\n`,
    );
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
  return join(packageRoot, 'dist');
}
