import { resolve } from 'node:path';
import type { Logger } from '../common/logging/logger.js';
import { createLogger } from '../common/logging/logger.js';
import type { EnvConfig } from '../config/env.dto.js';
import { DemoProducer } from '../demo/demo-producer.js';
import type { Closer } from './shutdown-coordinator.js';

/**
 * Starts the demo OLTP producer (unless DEMO_RATE=0) publishing to the configured topic. Its first start
 * generates and publishes the backfilled history; that runs in the background so the gateway banner is not
 * held up. The returned closer (for the shutdown coordinator) waits for it before closing the producer's store.
 */
export function startDemoTraffic(config: EnvConfig, logger: Logger): Closer | undefined {
  const connectionString = config.serviceBusConnectionString;
  if (config.DEMO_RATE === 0) {
    return undefined;
  }
  if (!connectionString) {
    logger.warn({}, 'demo producer disabled: it needs SERVICEBUS_CONNECTION_STRING (or the embedded broker)');
    return undefined;
  }
  const producer = new DemoProducer({
    connectionString,
    topic: config.SERVICEBUS_TOPIC,
    rate: config.DEMO_RATE,
    seed: config.DEMO_SEED,
    dataDir: resolve(config.DATA_DIR),
    backfillDays: config.DEMO_BACKFILL_DAYS,
    backfillEvents: config.DEMO_BACKFILL_EVENTS,
    logger: createLogger('demo-producer'),
  });
  const started = producer.start().catch((error: unknown) => {
    logger.error({ err: error }, 'demo producer failed to start');
  });
  return {
    name: 'demo-producer',
    close: async () => {
      await started;
      await producer.stop();
    },
  };
}
