/**
 * KUSTO_EMBEDDED_PORT=0 / SERVICEBUS_EMBEDDED_PORT=0 start the embedded engine and broker on ports the OS picks.
 * Every client reaches them through EnvConfig.kustoClusterUrl / serviceBusConnectionString only, so those must name
 * the ports bound: they named port 0, so the ingestion and the demo dialled the SDK's default 5672 and the Kusto
 * clients port 0, and `npm start` ran without ingesting anything.
 */
import { ServiceBusClient } from '@azure/service-bus';
import { Client, KustoConnectionStringBuilder } from 'azure-kusto-data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.js';
import { startKqlgate, type RunningKqlgate } from '../../../src/runtime/kqlgate-runtime.js';
import { removeDir, tempDir } from '../../utils/temp-dir.js';

describe(startKqlgate.name, () => {
  let dataDir: string;
  let running: RunningKqlgate | undefined;

  beforeAll(async () => {
    dataDir = await tempDir('runtime-ports');
  });

  afterAll(async () => {
    await running?.close();
    await removeDir(dataDir);
  });

  it('should hand on a configuration naming the ports the OS picked for port 0', async () => {
    running = await startKqlgate(
      loadConfig({
        PORT: '0',
        LOG_LEVEL: 'silent',
        DEMO_RATE: '0',
        DATA_DIR: dataDir,
        KUSTO_EMBEDDED_PORT: '0',
        SERVICEBUS_EMBEDDED_PORT: '0',
      }),
      { handleSignals: false },
    );
    const config = running.config;

    expect(config.KUSTO_EMBEDDED_PORT).toBeGreaterThan(0);
    expect(config.SERVICEBUS_EMBEDDED_PORT).toBeGreaterThan(0);
    // Reached through the configuration alone, as the gateway, the ingestion and the demo reach them.
    const kusto = new Client(new KustoConnectionStringBuilder(config.kustoClusterUrl));
    try {
      const tables = await kusto.execute(config.KUSTO_DATABASE, '.show tables');
      expect(tables.primaryResults[0]).toBeDefined();
    } finally {
      kusto.close();
    }
    const client = new ServiceBusClient(config.serviceBusConnectionString ?? '', {
      // A wrong port must fail the test at once, not after the SDK's retries 30 s apart.
      retryOptions: { maxRetries: 0, timeoutInMs: 10_000 },
    });
    try {
      const receiver = client.createReceiver(config.SERVICEBUS_TOPIC, config.SERVICEBUS_SUBSCRIPTION);
      await expect(receiver.peekMessages(1)).resolves.toEqual([]);
    } finally {
      await client.close();
    }
  }, 120_000);

  it('should run the Kusto.Language host, the broker and the engine in worker threads, as npm start does', () => {
    expect(running).toBeDefined();
    // Node's diagnostic report has one subreport per worker thread of this one; Vitest's forks pool adds none.
    const report = process.report.getReport() as { workers: unknown[] };

    expect(report.workers).toHaveLength(3);
  });
});
