/**
 * The gateway part deploys kql/ to the embedded engine in two plans of the one deployer: the storage the ingestion
 * writes through (tables, mappings, update policies and the functions they call, read without Kusto.Language)
 * first, then the rest once kql/ is analyzed. The ingestion waits for the storage only: before, it waited for the
 * analysis of every function of kql/ (seconds of Kusto.Language on a first start) although no event needs them.
 * Here the analysis never answers (nobody serves the catalog port), and the storage must be deployed anyway.
 */
import { MessageChannel } from 'node:worker_threads';
import { join } from 'node:path';
import { startKustoEmulator, type RunningKustoEmulator } from '@kqlgate/kusto-emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.js';
import { KustoQueryClient } from '../../../src/modules/query/kusto-query.client.js';
import { part } from '../../../src/runtime/parts/gateway.part.js';
import { removeDir, tempDir } from '../../utils/temp-dir.js';

describe('gateway part', () => {
  let dataDir: string;
  let engine: RunningKustoEmulator;

  beforeAll(async () => {
    dataDir = await tempDir('gateway-part');
    engine = await startKustoEmulator({ port: 0, dataDir: join(dataDir, 'kusto'), databases: ['analytics'] });
  }, 120_000);

  afterAll(async () => {
    await engine?.close();
    await removeDir(dataDir);
  });

  it('should deploy the storage the ingestion writes through while kql/ is still being analyzed', async () => {
    const config = loadConfig({
      LOG_LEVEL: 'silent',
      DATA_DIR: dataDir,
      KUSTO_EMBEDDED_PORT: String(engine.port),
      KUSTO_DATABASE: 'analytics',
    });
    // The Kusto.Language host's end of the catalog port: never read, so the analysis of kql/ never completes.
    const catalog = new MessageChannel();
    const shutdown = new AbortController();
    let storageDeployed!: () => void;
    const deployed = new Promise<void>((resolve) => {
      storageDeployed = resolve;
    });
    const started = part.start(
      {
        config,
        role: 'all',
        watchKql: false,
        catalogPort: catalog.port1,
        onStorageDeployed: storageDeployed,
      },
      { report: () => undefined, signal: shutdown.signal },
    );
    started.catch(() => undefined);
    const kusto = new KustoQueryClient(config.kustoClusterUrl, 'analytics', config.kustoAuth);
    try {
      await deployed;

      const names = async (csl: string): Promise<string[]> =>
        (await kusto.command(csl)).rows.map((row) => String(row[0])).sort();
      expect(await names('.show tables')).toEqual(expect.arrayContaining(['Orders', 'RawOrderEvents']));
      const policy = await kusto.command(".show table ['Orders'] policy update");
      expect(JSON.stringify(policy.rows)).toContain('ExpandOrderEvents()');
      // The functions the update policies call, and none of kql/functions (they wait for the analysis).
      const functions = await names('.show functions');
      expect(functions).toContain('ExpandOrderEvents');
      expect(functions).not.toContain('FraudScores');
    } finally {
      kusto.close();
      shutdown.abort();
      await started.catch(() => undefined);
      catalog.port2.close();
    }
  }, 120_000);
});
