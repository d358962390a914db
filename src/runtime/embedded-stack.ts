import { join, resolve } from 'node:path';
import type { Logger } from '../common/logging/logger.js';
import { createLogger } from '../common/logging/logger.js';
import type { EnvConfig } from '../config/env.dto.js';
import { startKustoEmulator, type RunningKustoEmulator } from '../embedded/kusto/kusto-emulator.js';
import {
  startServiceBusEmulator,
  type RunningServiceBusEmulator,
} from '../embedded/servicebus/servicebus-emulator.js';
import { secondsSinceStart } from './seconds-since-start.js';
import type { ShutdownCoordinator } from './shutdown-coordinator.js';

export interface EmbeddedStack {
  kusto?: RunningKustoEmulator;
  serviceBus?: RunningServiceBusEmulator;
}

/**
 * Starts the embedded engine and/or broker for whichever Azure service is not configured, on the fixed
 * KUSTO_EMBEDDED_PORT / SERVICEBUS_EMBEDDED_PORT of 127.0.0.1, with their data under DATA_DIR. Everything else
 * reaches them through EnvConfig.kustoClusterUrl / serviceBusConnectionString — the same protocols as Azure.
 */
export async function startEmbeddedStack(
  config: EnvConfig,
  shutdown: ShutdownCoordinator,
  logger: Logger,
): Promise<EmbeddedStack> {
  const stack: EmbeddedStack = {};
  const dataDir = resolve(config.DATA_DIR);
  if (config.kustoEmbedded) {
    const started = Date.now();
    stack.kusto = await startKustoEmulator({
      host: '127.0.0.1',
      port: config.KUSTO_EMBEDDED_PORT,
      dataDir: join(dataDir, 'kusto'),
      databases: [config.KUSTO_DATABASE],
      logger: createLogger('kusto-emulator'),
    });
    const kusto = stack.kusto;
    shutdown.add({ name: 'kusto-emulator', close: () => kusto.close() });
    logger.info(
      { url: kusto.url, ms: Date.now() - started, sinceStartS: secondsSinceStart() },
      'embedded Kusto engine ready',
    );
  }
  if (config.serviceBusEmbedded) {
    const started = Date.now();
    stack.serviceBus = await startServiceBusEmulator({
      host: '127.0.0.1',
      port: config.SERVICEBUS_EMBEDDED_PORT,
      dataDir: join(dataDir, 'servicebus'),
      logger: createLogger('servicebus-emulator'),
    });
    const serviceBus = stack.serviceBus;
    shutdown.add({ name: 'servicebus-emulator', close: () => serviceBus.close() });
    logger.info(
      { port: serviceBus.port, ms: Date.now() - started, sinceStartS: secondsSinceStart() },
      'embedded Service Bus broker ready',
    );
  }
  return stack;
}
