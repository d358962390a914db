/**
 * `npm start`'s background threads (embedded engine, embedded broker, demo producer): they start, report, stop
 * and fail with errors that name the thread. Worker threads need the compiled build, so the module comes from dist/.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { OperationalStore, operationalStorePath } from '@kqlgate/demo-shop';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/common/logging/logger.js';
import { servicebusEntitiesFile } from '../../../src/config/servicebus-entities-file.js';
import type * as BackgroundThreadModule from '../../../src/runtime/background-thread.js';
import { ensureBuilt, repoRoot } from '../../utils/ensure-built.js';
import { freePort } from '../../utils/free-port.js';
import { removeDir, tempDir } from '../../utils/temp-dir.js';

const quiet = { logLevel: 'silent', logger: silentLogger, onCrash: () => undefined };
const configFile = servicebusEntitiesFile();

describe('background threads of npm start', () => {
  let threads: typeof BackgroundThreadModule;
  let dir: string;

  beforeAll(async () => {
    await ensureBuilt();
    threads = (await import(
      pathToFileURL(join(repoRoot, 'dist', 'src', 'runtime', 'background-thread.js')).href
    )) as typeof BackgroundThreadModule;
    dir = await tempDir('background-thread');
  }, 300_000);

  afterAll(async () => {
    await removeDir(dir);
  });

  it('should reject with the thread named when the engine cannot open its data directory', async () => {
    const notADirectory = join(dir, 'a-file');
    await writeFile(notADirectory, 'not a directory');
    await expect(
      threads.startBackgroundThread(
        { service: 'kusto', host: '127.0.0.1', port: 0, dataDir: notADirectory, databases: ['analytics'] },
        quiet,
      ),
    ).rejects.toThrow(/^kusto thread: .*a-file/);
  }, 60_000);

  it('should reject with the thread named when the broker port is taken', async () => {
    const port = await freePort();
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(port, '127.0.0.1', resolve));
    try {
      await expect(
        threads.startBackgroundThread(
          { service: 'servicebus', host: '127.0.0.1', port, dataDir: join(dir, 'sb-taken'), configFile },
          quiet,
        ),
      ).rejects.toThrow(/^servicebus thread: .*EADDRINUSE/);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  }, 60_000);

  it('should discard a thread spawned early that the configuration does not need, and refuse wrong starts', async () => {
    const unused = threads.spawnBackgroundThread('servicebus');
    await unused.discard();
    await expect(
      unused.start(
        { service: 'servicebus', host: '127.0.0.1', port: 0, dataDir: join(dir, 'sb-unused'), configFile },
        quiet,
      ),
    ).rejects.toThrow('servicebus thread: cannot start: the thread is closed');

    const engine = threads.spawnBackgroundThread('kusto');
    try {
      await expect(
        engine.start(
          { service: 'servicebus', host: '127.0.0.1', port: 0, dataDir: join(dir, 'sb-wrong'), configFile },
          quiet,
        ),
      ).rejects.toThrow('kusto thread: was spawned for kusto, not servicebus');
    } finally {
      await engine.discard();
    }
  }, 60_000);

  it('should close a thread in the middle of its start through the thread: the start is refused, the port freed', async () => {
    // A Ctrl-C in npm start's first seconds does this. Before, the thread was terminated while DuckDB loaded or
    // opened its database, which could abort the whole process (this test process too).
    const port = await freePort();
    const engine = threads.spawnBackgroundThread('kusto');
    const starting = engine.start(
      {
        service: 'kusto',
        host: '127.0.0.1',
        port,
        dataDir: join(dir, 'kusto-closed-while-starting'),
        databases: ['analytics'],
      },
      quiet,
    );
    const refused = expect(starting).rejects.toThrow('kusto thread: closed while starting');
    await engine.discard();
    await refused;
    const reuse: Server = createServer();
    await new Promise<void>((resolve, reject) => {
      reuse.once('error', reject);
      reuse.listen(port, '127.0.0.1', resolve);
    });
    await new Promise((resolve) => reuse.close(resolve));
  }, 60_000);

  it('should run the demo producer and its operational consumer against the broker, report what it published, and stop cleanly', async () => {
    const broker = await threads.startBackgroundThread(
      {
        service: 'servicebus',
        host: '127.0.0.1',
        port: await freePort(),
        dataDir: join(dir, 'sb'),
        configFile,
      },
      quiet,
    );
    const published: Record<string, number> = {};
    try {
      expect(broker.url).toBe(`sb://127.0.0.1:${broker.port}`);
      const demo = await threads.startBackgroundThread(
        {
          service: 'demo',
          connectionString: `Endpoint=sb://127.0.0.1:${broker.port};SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;`,
          topic: 'oltp-events',
          rate: 50,
          seed: 7,
          dataDir: join(dir, 'demo'),
          backfillDays: 1,
          backfillEvents: 200,
        },
        {
          ...quiet,
          onPublished: (byType) => {
            for (const [type, count] of Object.entries(byType)) {
              published[type] = (published[type] ?? 0) + count;
            }
          },
        },
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
      // Closing twice is harmless (the shutdown coordinator and a failed start may both close it).
      await demo.close();
    } finally {
      await broker.close();
    }
  }, 90_000);
});
