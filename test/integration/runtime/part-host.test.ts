/**
 * The parts `npm start` runs in worker threads (engine, broker, demo), through the one host: they start, report,
 * stop and fail with errors that name the part. Worker threads need the compiled build, so the modules come from
 * dist/.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { OperationalStore, operationalStorePath } from '@kqlgate/demo-shop';
import { MessageChannel } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { servicebusEntitiesFile } from '../../../src/config/servicebus-entities-file.js';
import type * as PartsModule from '../../../src/runtime/kqlgate-parts.js';
import type * as PartHostModule from '../../../src/runtime/part-host.js';
import { ensureBuilt, repoRoot } from '../../utils/ensure-built.js';
import { freePort } from '../../utils/free-port.js';
import { removeDir, tempDir } from '../../utils/temp-dir.js';

const quiet = { logLevel: 'silent', onCrash: () => undefined };
const configFile = servicebusEntitiesFile();

function compiled<T>(path: string): Promise<T> {
  return import(pathToFileURL(join(repoRoot, 'dist', 'src', 'runtime', path)).href) as Promise<T>;
}

describe('startPart', () => {
  let host: typeof PartHostModule;
  let parts: (typeof PartsModule)['PART_DECLARATIONS'];
  let dir: string;

  beforeAll(async () => {
    await ensureBuilt();
    host = await compiled('part-host.js');
    parts = (await compiled<typeof PartsModule>('kqlgate-parts.js')).PART_DECLARATIONS;
    dir = await tempDir('part-host');
  }, 300_000);

  afterAll(async () => {
    await removeDir(dir);
  });

  it('should reject with the part named when the engine cannot open its data directory', async () => {
    const notADirectory = join(dir, 'a-file');
    await writeFile(notADirectory, 'not a directory');
    const { port1 } = new MessageChannel();
    await expect(
      host.startPart(
        parts.engine,
        { host: '127.0.0.1', port: 0, dataDir: notADirectory, databases: ['analytics'], compilerPort: port1 },
        quiet,
      ),
    ).rejects.toThrow(/^embedded Kusto engine: .*a-file/);
    port1.close();
  }, 60_000);

  it('should reject with the part named when the broker port is taken', async () => {
    const port = await freePort();
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(port, '127.0.0.1', resolve));
    try {
      await expect(
        host.startPart(
          parts.broker,
          { host: '127.0.0.1', port, dataDir: join(dir, 'sb-taken'), configFile },
          quiet,
        ),
      ).rejects.toThrow(/^embedded Service Bus broker: .*EADDRINUSE/);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  }, 60_000);

  it('should run the demo producer and its operational consumer against the broker, report what it published, and stop cleanly', async () => {
    const broker = await host.startPart(
      parts.broker,
      { host: '127.0.0.1', port: await freePort(), dataDir: join(dir, 'sb'), configFile },
      quiet,
    );
    const published: Record<string, number> = {};
    try {
      const demo = await host.startPart(
        {
          ...parts.demo,
          onReport: (message) => {
            for (const [type, count] of Object.entries(
              (message as { byType: Record<string, number> }).byType,
            )) {
              published[type] = (published[type] ?? 0) + count;
            }
          },
        },
        {
          connectionString: `Endpoint=sb://127.0.0.1:${broker.facts.port};SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;`,
          topic: 'oltp-events',
          rate: 50,
          seed: 7,
          dataDir: join(dir, 'demo'),
          backfillDays: 1,
          backfillEvents: 200,
        },
        quiet,
      );
      const operational = operationalStorePath(join(dir, 'demo'));
      const written = (): number => {
        if (!existsSync(operational)) {
          return 0;
        }
        const store = OperationalStore.open(operational);
        try {
          return store.rows().length;
        } finally {
          store.close();
        }
      };
      const deadline = Date.now() + 30_000;
      while ((Object.keys(published).length === 0 || written() === 0) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await demo.close();
      expect(Object.values(published).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
      // The operational consumer ran beside the producer in the demo's thread.
      expect(written()).toBeGreaterThan(0);
      // Closing twice is harmless (the shutdown and a failed start may both close it).
      await demo.close();
    } finally {
      await broker.close();
    }
  }, 90_000);
});
