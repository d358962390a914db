/**
 * The engine with its KQL compiler in a thread of its own (what `npm start` runs): the real SDKs see the same
 * results and the same errors (with line:col) as with the compiler in the engine's thread, update policies are
 * validated and run, and a repeated query is bound without a round trip. Worker threads need the compiled build,
 * so the engine and the compiler thread come from dist/.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Client as KustoClient } from 'azure-kusto-data';
import { DataFormat, StreamingIngestClient } from 'azure-kusto-ingest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as CompilerThreadModule from '../../src/query/compiler-thread.js';
import type * as EmulatorModule from '../../src/kusto-emulator.js';
import type { CompilerThread } from '../../src/query/compiler-thread.js';
import type { RunningKustoEmulator } from '../../src/kusto-emulator.js';
import { ensureBuilt, packageRoot } from '../utils/ensure-built.js';
import { removeDir, tempDir } from '../utils/temp-dir.js';
import { ingestProps, jsonLines, kustoError } from './kusto-engine-harness.js';

async function fromDist<T>(...path: string[]): Promise<T> {
  return (await import(pathToFileURL(join(packageRoot, 'dist', ...path)).href)) as T;
}

describe('embedded engine with its KQL compiler in a thread', () => {
  let threads: typeof CompilerThreadModule;
  let compilerThread: CompilerThread;
  let threaded: RunningKustoEmulator;
  let inProcess: RunningKustoEmulator;
  let client: KustoClient;
  let reference: KustoClient;
  let ingest: StreamingIngestClient;
  const dirs: string[] = [];

  beforeAll(async () => {
    await ensureBuilt();
    threads = await fromDist<typeof CompilerThreadModule>('query', 'compiler-thread.js');
    const emulator = await fromDist<typeof EmulatorModule>('kusto-emulator.js');
    dirs.push(await tempDir('compiler-thread'), await tempDir('compiler-in-process'));
    compilerThread = threads.startCompilerThread();
    threaded = await emulator.startKustoEmulator({
      port: 0,
      dataDir: dirs[0],
      compilerLoader: compilerThread.loader,
      warmUpCompiler: true,
    });
    inProcess = await emulator.startKustoEmulator({ port: 0, dataDir: dirs[1] });
    client = new KustoClient(`Data Source=${threaded.url};Initial Catalog=analytics`);
    reference = new KustoClient(`Data Source=${inProcess.url};Initial Catalog=analytics`);
    ingest = new StreamingIngestClient(`Data Source=${threaded.url};Initial Catalog=analytics`);
    for (const kusto of [client, reference]) {
      await kusto.executeMgmt('analytics', '.create table Orders (Id: long, Amount: real, Country: string)');
    }
  }, 300_000);

  afterAll(async () => {
    client?.close();
    reference?.close();
    ingest?.close();
    await threaded?.close();
    await inProcess?.close();
    await compilerThread?.close();
    await Promise.all(dirs.map((dir) => removeDir(dir)));
  });

  it('should resolve warmedUp once the thread has compiled the warm-up query', async () => {
    await expect(threaded.warmedUp).resolves.toBeUndefined();
  });

  it('should answer a parameterized query like the in-thread compiler does', async () => {
    const query = 'declare query_parameters(n: long); range i from 1 to n step 1 | extend twice = i * 2';
    const rows = async (kusto: KustoClient, n: number): Promise<unknown[]> => {
      const { ClientRequestProperties } = await import('azure-kusto-data');
      const properties = new ClientRequestProperties();
      properties.setParameter('n', n);
      const result = await kusto.execute('analytics', query, properties);
      return result.primaryResults[0].toJSON().data;
    };
    // The same text twice with different values: the second is bound from the cached template.
    expect(await rows(client, 3)).toEqual(await rows(reference, 3));
    expect(await rows(client, 5)).toEqual(await rows(reference, 5));
    expect(await rows(client, 5)).toHaveLength(5);
  });

  it('should report syntax and semantic errors with the same message and line:col', async () => {
    for (const text of [
      'Orders\n| whre Amount > 1',
      'Orders | where NoSuchColumn > 1',
      'NoSuchTable | take 1',
    ]) {
      const [ours, theirs] = await Promise.all([
        kustoError(client.execute('analytics', text)),
        kustoError(reference.execute('analytics', text)),
      ]);
      expect(ours).toEqual(theirs);
    }
    expect((await kustoError(client.execute('analytics', 'Orders\n| whre Amount > 1'))).message).toMatch(
      /^Syntax error: .*\(at 2:\d+\)$/,
    );
  });

  it('should reject an update policy whose query does not compile, and run a valid one on ingest', async () => {
    await client.executeMgmt('analytics', '.create table BigOrders (Id: long, Amount: real)');
    const bad = await kustoError(
      client.executeMgmt(
        'analytics',
        `.alter table BigOrders policy update @'[{"Source":"Orders","Query":"Orders | where Nope > 1 | project Id, Amount","IsEnabled":true}]'`,
      ),
    );
    expect(bad.message).toMatch(/Nope/);
    await client.executeMgmt(
      'analytics',
      `.alter table BigOrders policy update @'[{"Source":"Orders","Query":"Orders | where Amount > 100 | project Id, Amount","IsEnabled":true}]'`,
    );
    await ingest.ingestFromStream(
      jsonLines([
        { Id: 1, Amount: 50, Country: 'NL' },
        { Id: 2, Amount: 500, Country: 'FR' },
      ]),
      ingestProps('Orders', DataFormat.MULTIJSON),
    );
    const result = await client.execute('analytics', 'BigOrders | project Id');
    expect(result.primaryResults[0].toJSON().data).toEqual([{ Id: 2 }]);
  });

  it('should bind a cached template without a round trip and fail a closed thread with a clear error', async () => {
    const own = threads.startCompilerThread();
    const compiler = await own.loader();
    const schema = {
      name: 'db',
      tables: [{ name: 'T', columns: [{ name: 'a', type: 'long' as const }] }],
      functions: [],
    };
    const first = await compiler.compileKql('T | where a > 1', schema, {}, {});
    // No slots to fill: the very same frozen template comes back from this side's cache.
    expect(await compiler.compileKql('T | where a > 1', schema, {}, {})).toBe(first);
    expect(Object.isFrozen(first.statements[0])).toBe(true);
    await expect(
      Promise.resolve(
        compiler.compileKql('declare query_parameters(p: long); T | where a > p', schema, { p: 'x' }, {}),
      ),
    ).rejects.toMatchObject({
      code: 'PARAMETER',
      message: expect.stringMatching(/query parameter 'p' of type long/),
    });
    await own.close();
    await expect(Promise.resolve(compiler.compileKql('T | take 1', schema, {}, {}))).rejects.toThrow(
      'KQL compiler thread closed',
    );
  }, 60_000);
});
