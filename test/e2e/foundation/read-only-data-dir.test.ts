/**
 * `npm start` with DATA_DIR below a read-only mount. The app runs in a private mount namespace (`unshare -m`) in
 * which a read-only tmpfs is mounted on a temp directory, so nothing outside the child process sees the mount and
 * it disappears with it. Where mounting is not permitted (not root, no unshare) the test is skipped; the
 * translation itself is covered by packages/data-directory/src/directory-creation.spec.ts.
 */
import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, repoRoot } from '../../utils/ensure-built.js';
import { freePort } from '../../utils/free-port.js';
import { removeDir, tempDir } from '../../utils/temp-dir.js';

const run = promisify(execFile);

/** Runs `command` in a private mount namespace where `mountPoint` is a read-only tmpfs. */
function readOnlyMountArgs(mountPoint: string, command: string[]): string[] {
  return [
    '-m',
    '--propagation',
    'private',
    'sh',
    '-c',
    'mount -t tmpfs -o ro,size=1m tmpfs "$0" && exec "$@"',
    mountPoint,
    ...command,
  ];
}

describe('kqlgate with DATA_DIR on a read-only file system', () => {
  let mountPoint: string;
  let canMount = false;

  beforeAll(async () => {
    await ensureBuilt();
    mountPoint = await tempDir('read-only');
    canMount = await run('unshare', readOnlyMountArgs(mountPoint, ['true'])).then(
      () => true,
      () => false,
    );
  });

  afterAll(async () => {
    await removeDir(mountPoint);
  });

  it('should fail to start naming the read-only file system, not a missing directory', async (context) => {
    if (!canMount) {
      context.skip();
    }
    const dataDir = join(mountPoint, 'data');
    const child = spawn(
      'unshare',
      readOnlyMountArgs(mountPoint, [process.execPath, join(repoRoot, 'dist', 'src', 'main.js')]),
      {
        env: {
          PATH: process.env.PATH,
          DATA_DIR: dataDir,
          DEMO_RATE: '0',
          LOG_LEVEL: 'warn',
          PORT: String(await freePort()),
          KUSTO_EMBEDDED_PORT: String(await freePort()),
          SERVICEBUS_EMBEDDED_PORT: String(await freePort()),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.resume();
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));

    expect(code).toBe(1);
    // The engine and the broker start side by side: whichever creates its directory first names it.
    const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    expect(stderr.split('\n')[0]).toMatch(
      new RegExp(
        '^kqlgate: failed to start: (embedded Kusto engine|embedded Service Bus broker): Cannot create the .+ ' +
          `data directory '${escape(dataDir)}/(kusto|servicebus)': '${escape(mountPoint)}' is on a read-only file ` +
          'system \\(EROFS\\); use a directory on a writable file system$',
      ),
    );
    expect(stderr).not.toContain('ENOENT');
  });
});
