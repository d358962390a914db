/**
 * kqlgate where the local stack is not installed, as after a production install (`npm ci --omit=dev
 * --omit=optional`): the built app (dist/src, copied) beside a node_modules that holds every package this checkout
 * has except @kqlgate/kusto-emulator, @kqlgate/servicebus-emulator and @kqlgate/demo-shop, so the app resolves exactly
 * what such an install resolves. Without Azure settings it must stop with one line saying what to install or set,
 * before it starts anything; `kqlgate emulator kusto` likewise.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, repoRoot } from '../../utils/ensure-built.js';
import { freePort } from '../../utils/free-port.js';
import { removeDir, tempDir } from '../../utils/temp-dir.js';

const run = promisify(execFile);

/** The local stack: optional dependencies of kqlgate. */
const LOCAL_STACK = ['kusto-emulator', 'servicebus-emulator', 'demo-shop'];

/** Runs `node <script> …args` in `cwd`; resolves its exit code and output whatever the code. */
async function node(
  cwd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return run(process.execPath, args, { cwd, env, timeout: 60_000 }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );
}

describe('kqlgate without the local stack installed', () => {
  let install: string;

  beforeAll(async () => {
    await ensureBuilt();
    install = await tempDir('no-local-stack');
    cpSync(join(repoRoot, 'dist', 'src'), join(install, 'dist', 'src'), { recursive: true });
    cpSync(join(repoRoot, 'package.json'), join(install, 'package.json'));
    const modules = join(install, 'node_modules');
    mkdirSync(join(modules, '@kqlgate'), { recursive: true });
    for (const entry of readdirSync(join(repoRoot, 'node_modules'))) {
      if (entry !== '@kqlgate' && !entry.startsWith('.')) {
        symlinkSync(join(repoRoot, 'node_modules', entry), join(modules, entry));
      }
    }
    for (const entry of readdirSync(join(repoRoot, 'node_modules', '@kqlgate'))) {
      if (!LOCAL_STACK.includes(entry)) {
        symlinkSync(join(repoRoot, 'node_modules', '@kqlgate', entry), join(modules, '@kqlgate', entry));
      }
    }
  });

  afterAll(async () => {
    await removeDir(install);
  });

  it('should stop start-up with one line naming the packages to install or the settings to give', async () => {
    const result = await node(install, [join(install, 'dist', 'src', 'main.js')], {
      PATH: process.env.PATH,
      DATA_DIR: join(install, 'data'),
      PORT: String(await freePort()),
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'kqlgate: the local stack is needed but not installed: @kqlgate/kusto-emulator (or set KUSTO_CLUSTER_URL for ' +
        'Azure Data Explorer), @kqlgate/servicebus-emulator (or set SERVICEBUS_CONNECTION_STRING or ' +
        'SERVICEBUS_NAMESPACE for Azure Service Bus), @kqlgate/demo-shop (or set DEMO_RATE=0 for no demo traffic); ' +
        'npm install @kqlgate/kusto-emulator @kqlgate/servicebus-emulator @kqlgate/demo-shop installs it (in a clone ' +
        'of kqlgate: npm ci)\n',
    );
    expect(result.stdout).toBe('');
  });

  it('should refuse `kqlgate emulator kusto` naming the package to install', async () => {
    const result = await node(
      install,
      [join(install, 'dist', 'src', 'cli', 'main.js'), 'emulator', 'kusto'],
      {
        PATH: process.env.PATH,
      },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'kqlgate: emulator kusto needs @kqlgate/kusto-emulator, which is not installed (a production install omits ' +
        'the local stack): npm install @kqlgate/kusto-emulator\n',
    );
  });
});
