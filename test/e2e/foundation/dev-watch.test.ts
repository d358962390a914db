import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, repoRoot } from '../../utils/ensure-built.js';
import { freePort } from '../../utils/free-port.js';
import { removeDir, tempDir } from '../../utils/temp-dir.js';

/** The direct children of a process (Linux: the kernel lists them under /proc). */
function childrenOf(pid: number): number[] {
  try {
    const text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    return text === '' ? [] : text.split(/\s+/).map(Number);
  } catch {
    return [];
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Every process below `pid`, children first. */
function descendantsOf(pid: number): number[] {
  return childrenOf(pid).flatMap((child) => [child, ...descendantsOf(child)]);
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function live(port: number): Promise<boolean> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/health/live`)).ok;
  } catch {
    return false;
  }
}

/**
 * What `npm run dev` needs of the repository, copied with its timestamps (so the copied build is up to date and the
 * compiler's first pass emits nothing), its node_modules linked: the test edits a source there, not here.
 */
function copyRepository(into: string): void {
  const entries = ['src', 'bench', 'kql', 'config', 'scripts', 'packages', 'dist'];
  const files = ['package.json', 'tsconfig.json', 'tsconfig.base.json', 'tsconfig.build.json'];
  for (const entry of [...entries, ...files]) {
    cpSync(join(repoRoot, entry), join(into, entry), {
      recursive: true,
      preserveTimestamps: true,
      filter: (source) => basename(source) !== 'node_modules',
    });
  }
  symlinkSync(join(repoRoot, 'node_modules'), join(into, 'node_modules'));
  for (const name of readdirSync(join(repoRoot, 'packages'))) {
    const modules = join(repoRoot, 'packages', name, 'node_modules');
    if (existsSync(modules)) {
      symlinkSync(modules, join(into, 'packages', name, 'node_modules'));
    }
  }
}

describe('npm run dev', () => {
  let dataDir: string;
  let copy: string;
  let dev: ChildProcess | undefined;

  beforeAll(async () => {
    await ensureBuilt();
    dataDir = await tempDir('dev-watch');
    copy = await tempDir('dev-watch-repo');
    copyRepository(copy);
  });

  afterEach(() => {
    // A failed run must not leave the stack behind; the app's watcher runs in a process group of its own.
    if (dev?.pid !== undefined) {
      for (const pid of descendantsOf(dev.pid).reverse()) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone already
        }
      }
      dev.kill('SIGKILL');
    }
  });

  afterAll(async () => {
    await removeDir(dataDir);
    await removeDir(copy);
  });

  it('should rebuild a changed source and restart the app, the old process gone and its ports taken again by the new one', async () => {
    const ports = { gateway: await freePort(), kusto: await freePort(), servicebus: await freePort() };
    const child = spawn(process.execPath, [join(copy, 'scripts', 'dev.mjs')], {
      cwd: copy,
      env: {
        PATH: process.env.PATH,
        DATA_DIR: dataDir,
        DEMO_RATE: '0',
        LOG_LEVEL: 'info',
        PORT: String(ports.gateway),
        KUSTO_EMBEDDED_PORT: String(ports.kusto),
        SERVICEBUS_EMBEDDED_PORT: String(ports.servicebus),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      // A process group of its own, signalled as a terminal's Ctrl-C signals its foreground group.
      detached: true,
    });
    dev = child;
    const devPid = child.pid ?? 0;
    let output = '';
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

    // dev.mjs → { tsc --watch, node --watch-path … dist/src/main.js → the app }
    const watcher = await until(
      'the app watcher',
      () => childrenOf(devPid).find((pid) => commandLine(pid).includes('--watch-path')),
      30_000,
    );
    const compiler = childrenOf(devPid).find((pid) => commandLine(pid).includes('--watch '));
    expect(commandLine(compiler ?? 0)).toContain('tsconfig.build.json --watch');
    // A hang guard: start-up took over 30 s on a 2-core machine under load.
    await until(
      'the first start',
      () => (output.includes('kqlgate listening on') ? true : undefined),
      150_000,
    );
    expect(await live(ports.gateway)).toBe(true);
    const first = childrenOf(watcher);
    expect(first).toHaveLength(1);
    // Not a watcher itself (Node 20 once passed a second `--watch-path=…` on to the app, which then watched and
    // restarted a process of its own); Node 22 and 24 do pass `--watch-preserve-output` on, which is harmless.
    expect(commandLine(first[0])).not.toContain('--watch-path');

    // A change to a package's TypeScript: tsc rebuilds packages/data-directory/dist, and the watcher restarts the
    // app. A small package rather than the app's own sources, so that the rebuild type-checks a few files (its
    // declarations do not change, so the projects that depend on it are not checked again) instead of the whole
    // app, which costs a minute of CPU in CI and proves nothing more about the loop.
    appendFileSync(
      join(copy, 'packages', 'data-directory', 'src', 'directory-creation.ts'),
      '\n// edited by dev-watch.test.ts\n',
    );
    await until(
      'the compiler to rebuild',
      () => (output.includes('File change detected') ? true : undefined),
      60_000,
    );
    await until(
      'the watcher to restart the app',
      () => (output.includes("Restarting '") ? true : undefined),
      240_000,
    );
    const restarted = await until(
      'the new app to listen',
      () => {
        const after = output.slice(output.indexOf("Restarting '"));
        const current = childrenOf(watcher);
        return after.includes('kqlgate listening on') && current.length === 1 && current[0] !== first[0]
          ? current[0]
          : undefined;
      },
      150_000,
    );
    // The old process closed its parts and exited before the new one started: the new one could bind the same
    // ports, and the old one and anything it ran are gone (worker threads end with their process).
    expect(alive(first[0])).toBe(false);
    expect(await live(ports.gateway)).toBe(true);
    expect(descendantsOf(devPid).sort()).toEqual([compiler, watcher, restarted].sort());
    expect(descendantsOf(restarted)).toEqual([]);

    // Ctrl-C: SIGINT to the whole group (dev.mjs and tsc). The app gets one SIGTERM, from its watcher, and shuts
    // down once (exit 0; a second signal would make it exit 1 at once); the compiler and the watcher end with it.
    process.kill(-devPid, 'SIGINT');
    expect(await exited).toBe(0);
    expect(output).toContain('stopping the app and the compiler');
    expect(output).not.toContain('second signal');
    expect(output.slice(output.lastIndexOf("Restarting '"))).toContain('"msg":"shutdown complete"');
    for (const pid of [compiler ?? 0, watcher, restarted]) {
      expect(alive(pid)).toBe(false);
    }
    expect(await live(ports.gateway)).toBe(false);
  }, 600_000);
});
