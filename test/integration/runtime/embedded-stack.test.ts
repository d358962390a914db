/**
 * KUSTO_EMBEDDED_PORT=0 / SERVICEBUS_EMBEDDED_PORT=0 start the embedded engine and broker on ports the OS picks.
 * Every client reaches them through EnvConfig.kustoClusterUrl / serviceBusConnectionString only, so those must name
 * the ports bound: they named port 0, so the ingestion and the demo dialled the SDK's default 5672 and the Kusto
 * clients port 0, and `npm start` ran without ingesting anything.
 */
import { ServiceBusClient } from '@azure/service-bus';
import { Client, KustoConnectionStringBuilder } from 'azure-kusto-data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/common/logging/logger.js';
import { EnvConfig } from '../../../src/config/env.dto.js';
import { startEmbeddedStack } from '../../../src/runtime/embedded-stack.js';
import { ShutdownCoordinator } from '../../../src/runtime/shutdown-coordinator.js';
import { removeDir, tempDir } from '../../utils/temp-dir.js';

describe(startEmbeddedStack.name, () => {
  let dataDir: string;
  const shutdown = new ShutdownCoordinator(silentLogger, 10_000, () => undefined);

  beforeAll(async () => {
    dataDir = await tempDir('embedded-stack');
  });

  afterAll(async () => {
    await shutdown.shutdown('test done');
    await removeDir(dataDir);
  });

  it('should hand on a configuration naming the ports the OS picked for port 0', async () => {
    // Frozen, as loadConfig returns it.
    const configured = Object.freeze(
      Object.assign(new EnvConfig(), {
        DATA_DIR: dataDir,
        KUSTO_EMBEDDED_PORT: 0,
        SERVICEBUS_EMBEDDED_PORT: 0,
      }),
    );

    const stack = await startEmbeddedStack(configured, shutdown, silentLogger);
    const config = stack.config;

    expect(stack.kusto?.port).toBeGreaterThan(0);
    expect(stack.serviceBus?.port).toBeGreaterThan(0);
    expect(config.kustoClusterUrl).toBe(stack.kusto?.url);
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
  });
});
