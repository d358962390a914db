/**
 * The analysis of kql/ in another thread, as `npm start` runs it: in a thread of its own, and over a port served by
 * the embedded engine's thread. Worker threads need the compiled build, so the modules come from dist/.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MessageChannel } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, KustoConnectionStringBuilder } from 'azure-kusto-data';
import { silentLogger } from '../../../src/common/logging/logger.js';
import { buildCatalog } from '../../../src/modules/catalog/catalog-builder.js';
import type { Catalog, KqlSourceFile } from '../../../src/modules/catalog/catalog.types.js';
import { KqlDirectorySource } from '../../../src/modules/catalog/kql-directory.source.js';
import type * as RemoteAnalyzerModule from '../../../src/modules/catalog/remote-catalog-analyzer.js';
import type * as PartHostModule from '../../../src/runtime/part-host.js';
import type { Part } from '../../../src/runtime/part.js';
import type { EngineInput } from '../../../src/runtime/parts/engine.part.js';
import type { KqlHostInput } from '../../../src/runtime/parts/kql-host.part.js';
import { ensureBuilt, repoRoot } from '../../utils/ensure-built.js';
import { freePort } from '../../utils/free-port.js';
import { removeDir, tempDir } from '../../utils/temp-dir.js';

function compiled<T>(path: string): Promise<T> {
  return import(pathToFileURL(join(repoRoot, 'dist', path)).href) as Promise<T>;
}

/** A catalog without its build time, to compare two builds of the same files. */
function comparable(catalog: Catalog): Omit<Catalog, 'loadedAt'> {
  const { loadedAt: _loadedAt, ...rest } = catalog;
  return rest;
}

const BROKEN: KqlSourceFile = {
  path: 'functions/Broken.kql',
  text: '.create-or-alter function Broken() {\n    Orders | where NoSuchColumn > 1\n}\n',
};

describe('RemoteCatalogAnalyzer', () => {
  let remote: typeof RemoteAnalyzerModule;
  let host: typeof PartHostModule;
  let files: KqlSourceFile[];
  let dir: string;

  beforeAll(async () => {
    await ensureBuilt();
    remote = await compiled('src/modules/catalog/remote-catalog-analyzer.js');
    host = await compiled('src/runtime/part-host.js');
    files = await new KqlDirectorySource(join(repoRoot, 'kql')).read();
    dir = await tempDir('remote-catalog');
  }, 300_000);

  afterAll(async () => {
    await removeDir(dir);
  });

  it('should build in its own thread exactly the catalog the main thread builds, errors included', async () => {
    const analyzer = remote.RemoteCatalogAnalyzer.inOwnThread(silentLogger);
    try {
      const withBroken = [...files, BROKEN];
      const [catalog, inThread] = [
        await analyzer.build(withBroken, { version: 3 }),
        buildCatalog(withBroken, { version: 3 }),
      ];
      expect(comparable(catalog)).toEqual(comparable(inThread));
      expect(catalog.loadedAt).toBeInstanceOf(Date);
      expect(catalog.diagnostics.some((d) => d.severity === 'error' && d.position.file === BROKEN.path)).toBe(
        true,
      );
    } finally {
      await analyzer.close();
    }
  }, 120_000);

  it('should hand the prefetched build to the first build() of the same files and version only', async () => {
    const analyzer = remote.RemoteCatalogAnalyzer.inOwnThread(silentLogger);
    try {
      analyzer.prefetch(files, 1);
      const first = analyzer.build(files, { version: 1 });
      const again = analyzer.build(files, { version: 1 });
      const [a, b] = await Promise.all([first, again]);
      expect(a).not.toBe(b);
      expect(comparable(a)).toEqual(comparable(b));
      expect(a.version).toBe(1);
    } finally {
      await analyzer.close();
    }
  }, 120_000);

  it("should analyze over the Kusto.Language host's catalog port while it compiles for the engine, which keeps serving Kusto REST", async () => {
    // The two parts as `npm start` declares them, each in a worker thread of the host.
    const inWorker = <Input, Facts>(name: string, file: string) => {
      const moduleUrl = pathToFileURL(join(repoRoot, 'dist', 'src', 'runtime', 'parts', file));
      return {
        name,
        runsIn: 'worker' as const,
        moduleUrl,
        load: () => import(moduleUrl.href) as Promise<{ part: Part<Input, Facts> }>,
      };
    };
    const options = { logLevel: 'silent', onCrash: () => undefined };
    const catalog = new MessageChannel();
    const compiler = new MessageChannel();
    const kqlHost = await host.startPart(
      inWorker<KqlHostInput, unknown>('Kusto.Language host', 'kql-host.part.js'),
      { catalogPort: catalog.port2, compilerPort: compiler.port2 },
      options,
    );
    const engine = await host.startPart(
      inWorker<EngineInput, { url: string }>('embedded Kusto engine', 'engine.part.js'),
      {
        host: '127.0.0.1',
        port: await freePort(),
        dataDir: join(dir, 'kusto'),
        databases: ['analytics'],
        compilerPort: compiler.port1,
      },
      options,
    );
    const analyzer = remote.RemoteCatalogAnalyzer.overPort(catalog.port1, silentLogger);
    const client = new Client(new KustoConnectionStringBuilder(engine.facts.url));
    try {
      const [built, answer] = await Promise.all([
        analyzer.build(files, { version: 1 }),
        client.execute('analytics', 'print answer = 6 * 7'),
      ]);
      expect(comparable(built)).toEqual(comparable(buildCatalog(files, { version: 1 })));
      expect(answer.primaryResults[0].toJSON().data).toEqual([{ answer: 42 }]);
    } finally {
      client.close();
      await analyzer.close();
      await engine.close();
      await kqlHost.close();
    }
  }, 120_000);

  it('should finish a build in the main thread when the analyzing thread goes away', async () => {
    const channel = new MessageChannel();
    // Nobody serves port2: the request waits until the port closes, then falls back.
    const analyzer = remote.RemoteCatalogAnalyzer.overPort(channel.port1, silentLogger);
    const pending = analyzer.build(files, { version: 7 });
    channel.port2.close();
    const catalog = await pending;
    expect(comparable(catalog)).toEqual(comparable(buildCatalog(files, { version: 7 })));
    await analyzer.close();
  }, 120_000);

  it('should refuse builds once closed', async () => {
    const analyzer = remote.RemoteCatalogAnalyzer.inOwnThread(silentLogger);
    await analyzer.close();
    await expect(analyzer.build(files, { version: 1 })).rejects.toThrow('the catalog analyzer is closed');
  });
});
