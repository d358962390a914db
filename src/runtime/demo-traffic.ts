import { resolve } from 'node:path';
import type { Logger } from '../common/logging/logger.js';
import { createLogger } from '../common/logging/logger.js';
import type { EnvConfig } from '../config/env.dto.js';
import type { DemoProducerSpec } from './background-thread-messages.js';
import type { SpawnedBackgroundThread } from './background-thread.js';
import type { Closer } from './shutdown-coordinator.js';

export interface DemoTrafficOptions {
  /** Run the producer in a worker thread, as the separate application it stands for (needs dist/). */
  thread?: boolean;
  /** With `thread`: a demo thread spawned earlier (its modules load meanwhile); discarded if the demo is off. */
  spawned?: SpawnedBackgroundThread;
}

/**
 * Starts the demo OLTP producer (unless DEMO_RATE=0) publishing to the configured topic. Its first start
 * generates and publishes the backfilled history; that runs in the background so the gateway banner is not
 * held up. The returned closer (for the shutdown coordinator) waits for it before closing the producer's store.
 */
export function startDemoTraffic(
  config: EnvConfig,
  logger: Logger,
  options: DemoTrafficOptions = {},
): Closer | undefined {
  const connectionString = config.serviceBusConnectionString;
  if (config.DEMO_RATE === 0 || !connectionString) {
    void options.spawned?.discard();
    if (config.DEMO_RATE !== 0) {
      logger.warn(
        {},
        'demo producer disabled: it needs SERVICEBUS_CONNECTION_STRING (or the embedded broker)',
      );
    }
    return undefined;
  }
  const spec: DemoProducerSpec = {
    service: 'demo',
    connectionString,
    topic: config.SERVICEBUS_TOPIC,
    rate: config.DEMO_RATE,
    seed: config.DEMO_SEED,
    dataDir: resolve(config.DATA_DIR),
    backfillDays: config.DEMO_BACKFILL_DAYS,
    backfillEvents: config.DEMO_BACKFILL_EVENTS,
  };
  const started = options.thread
    ? startInThread(spec, config, logger, options.spawned)
    : startInProcess(spec);
  const running = started.catch((error: unknown) => {
    logger.error({ err: error }, 'demo producer failed to start');
    return undefined;
  });
  return {
    name: 'demo-producer',
    close: async () => {
      await (
        await running
      )?.();
    },
  };
}

type Stop = () => Promise<void>;

async function startInProcess(spec: DemoProducerSpec): Promise<Stop> {
  const { DemoProducer } = await import('../demo/demo-producer.js');
  const producer = new DemoProducer({ ...spec, logger: createLogger('demo-producer') });
  await producer.start();
  return () => producer.stop();
}

async function startInThread(
  spec: DemoProducerSpec,
  config: EnvConfig,
  logger: Logger,
  spawned: SpawnedBackgroundThread | undefined,
): Promise<Stop> {
  const [{ spawnBackgroundThread }, { demoEventsPublished }] = await Promise.all([
    import('./background-thread.js'),
    import('../demo/demo-metrics.js'),
  ]);
  const published = demoEventsPublished();
  const thread = await (spawned ?? spawnBackgroundThread('demo')).start(spec, {
    logLevel: config.LOG_LEVEL,
    logger,
    // The demo stands for another application: if it dies, kqlgate itself keeps serving and ingesting.
    onCrash: (error) =>
      logger.error({ err: error }, 'the demo producer thread stopped; demo traffic has ended'),
    onPublished: (byType) => {
      for (const [type, count] of Object.entries(byType)) {
        published.inc({ type }, count);
      }
    },
  });
  return () => thread.close();
}
