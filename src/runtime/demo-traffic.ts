import { resolve } from 'node:path';
import type { Logger } from '../common/logging/logger.js';
import { createLogger } from '../common/logging/logger.js';
import { PACKAGE_METRIC_PREFIXES } from '../common/metrics/metrics.registry.js';
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
 * Starts the demo (unless DEMO_RATE=0): the OLTP producer publishing to the configured topic and, beside it, the
 * operational consumer writing the topic's `operational` subscription into the operational database — the stand-in
 * for the architecture's function app, without which nothing reads that subscription and the broker's store grows
 * with every event. Both are "other applications": they run together in the demo's thread. The producer's first
 * start generates and publishes the backfilled history; that runs in the background so the gateway banner is not
 * held up. The returned closer (for the shutdown coordinator) stops the producer (waiting for the history), then the
 * consumer (after the batch in hand).
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
    logger.error({ err: error }, 'the demo failed to start');
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
  const { DemoProducer, OperationalConsumer } = await import('@kqlgate/demo-shop');
  const consumer = new OperationalConsumer({ ...spec, logger: createLogger('demo-operational-consumer') });
  const producer = new DemoProducer({
    ...spec,
    logger: createLogger('demo-producer'),
    metrics: { prefix: PACKAGE_METRIC_PREFIXES.demoShop },
  });
  await consumer.start();
  try {
    await producer.start();
  } catch (error) {
    await consumer.close();
    throw error;
  }
  return async () => {
    await producer.stop();
    await consumer.close();
  };
}

async function startInThread(
  spec: DemoProducerSpec,
  config: EnvConfig,
  logger: Logger,
  spawned: SpawnedBackgroundThread | undefined,
): Promise<Stop> {
  // The metric alone (not the demo, nor SQLite): the demo runs in its thread and reports what it published.
  const [{ spawnBackgroundThread }, { demoEventsPublished }] = await Promise.all([
    import('./background-thread.js'),
    import('@kqlgate/demo-shop/metrics'),
  ]);
  const published = demoEventsPublished({ prefix: PACKAGE_METRIC_PREFIXES.demoShop });
  const thread = await (spawned ?? spawnBackgroundThread('demo')).start(spec, {
    logLevel: config.LOG_LEVEL,
    logger,
    // The demo stands for another application: if it dies, kqlgate itself keeps serving and ingesting.
    onCrash: (error) =>
      logger.error(
        { err: error },
        'the demo thread stopped; demo traffic and its operational consumer have ended',
      ),
    onPublished: (byType) => {
      for (const [type, count] of Object.entries(byType)) {
        published.inc({ type }, count);
      }
    },
  });
  return () => thread.close();
}
