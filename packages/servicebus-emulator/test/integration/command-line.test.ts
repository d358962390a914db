/**
 * The `servicebus-emulator` command as a user runs it (the package's bin, from its built dist/): without a Config.json
 * it names the flag it needs instead of starting a broker without entities.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, packageRoot } from '../utils/ensure-built.js';

const run = promisify(execFile);

describe('servicebus-emulator command', () => {
  beforeAll(async () => {
    await ensureBuilt();
  });

  it('should refuse to start without --config, naming the flag', async () => {
    const failure = await run(
      process.execPath,
      [join(packageRoot, 'bin', 'servicebus-emulator.js'), '--port', '0'],
      {
        cwd: packageRoot,
      },
    ).then(
      () => undefined,
      (error: unknown) => error as { code: number; stderr: string },
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr.split('\n')[0]).toBe("error: required option '--config <file>' not specified");
  });
});
