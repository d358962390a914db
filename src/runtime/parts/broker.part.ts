/** The embedded Service Bus broker (@kqlgate/servicebus-emulator) on 127.0.0.1, its store under DATA_DIR. */
import { createLogger } from '../../common/logging/logger.js';
import { PACKAGE_METRIC_PREFIXES } from '../../common/metrics/metrics.registry.js';
import type { Part } from '../part.js';

export interface BrokerInput {
  host: string;
  /** 0: any free port (the facts name the one bound). */
  port: number;
  dataDir: string;
  /** The entities, a Config.json of Microsoft's emulator (config/servicebus-emulator.json). */
  configFile: string;
}

export const part: Part<BrokerInput, { port: number }> = {
  async start(input) {
    const { startServiceBusEmulator } = await import('@kqlgate/servicebus-emulator');
    const broker = await startServiceBusEmulator({
      ...input,
      logger: createLogger('servicebus-emulator'),
      metrics: { prefix: PACKAGE_METRIC_PREFIXES.servicebusEmulator },
    });
    return { facts: { port: broker.port }, close: () => broker.close() };
  },
};
