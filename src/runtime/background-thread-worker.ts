/**
 * Worker-thread entry of one background part of `npm start`: the embedded Kusto engine, the embedded Service Bus
 * broker, or the demo (the OLTP producer and the operational consumer).
 *
 * Why threads: on start-up the engine spends over a second of CPU in Kusto.Language (then compiles every
 * update-policy query and ingests every batch), the broker moves every event twice, and the demo generates and
 * publishes a week of history — while the main thread loads the gateway, analyzes the stored functions and runs
 * the ingestion. In one thread all of that queues; in several it overlaps on the machine's cores. Each part is
 * reached only through its protocol (Kusto REST, AMQP), exactly as in the main thread or in Azure. The engine's
 * KQL is compiled in yet another thread (kql-thread.ts), so that DuckDB work (creating tables, ingesting) does not
 * wait behind Kusto.Language's analyses, nor they behind it.
 */
import { resolve } from 'node:path';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { createLogger, setLogLevel } from '../common/logging/logger.js';
import { PACKAGE_METRIC_PREFIXES } from '../common/metrics/metrics.registry.js';
import type {
  BackgroundService,
  BackgroundThreadData,
  BackgroundThreadReply,
  BackgroundThreadRequest,
  DemoProducerSpec,
} from './background-thread-messages.js';
import { backgroundRequestHandler, type RunningPart } from './background-thread-requests.js';

/** How often the demo thread reports its published events to the main thread's metrics. */
const PUBLISHED_REPORT_MS = 1_000;

/** The demo: the OLTP producer and, beside it, the operational consumer (see demo-traffic.ts). */
async function startDemo(spec: DemoProducerSpec, port: MessagePort): Promise<RunningPart> {
  const { DemoProducer, OperationalConsumer } = await import('@kqlgate/demo-shop');
  const consumer = new OperationalConsumer({
    connectionString: spec.connectionString,
    topic: spec.topic,
    dataDir: resolve(spec.dataDir),
    logger: createLogger('demo-operational-consumer'),
  });
  const producer = new DemoProducer({
    connectionString: spec.connectionString,
    topic: spec.topic,
    rate: spec.rate,
    seed: spec.seed,
    dataDir: resolve(spec.dataDir),
    backfillDays: spec.backfillDays,
    backfillEvents: spec.backfillEvents,
    logger: createLogger('demo-producer'),
    metrics: { prefix: PACKAGE_METRIC_PREFIXES.demoShop },
  });
  const reported: Record<string, number> = {};
  const report = (): void => {
    const byType: Record<string, number> = {};
    let any = false;
    for (const [type, count] of Object.entries(producer.stats().byType)) {
      const delta = count - (reported[type] ?? 0);
      if (delta > 0) {
        byType[type] = delta;
        reported[type] = count;
        any = true;
      }
    }
    if (any) {
      const message: BackgroundThreadReply = { type: 'published', byType };
      port.postMessage(message);
    }
  };
  await consumer.start();
  try {
    await producer.start();
  } catch (error) {
    await consumer.close();
    throw error;
  }
  // Events already published by earlier runs are history, not this process's counter.
  Object.assign(reported, producer.stats().byType);
  const timer = setInterval(report, PUBLISHED_REPORT_MS);
  timer.unref();
  return {
    url: '',
    port: 0,
    close: async () => {
      clearInterval(timer);
      await producer.stop();
      report();
      await consumer.close();
    },
  };
}

/** What each part needs, imported as soon as the thread exists (before the main thread sends 'start'). */
function preload(service: BackgroundService): Promise<unknown> {
  switch (service) {
    case 'kusto':
      return import('@kqlgate/kusto-emulator');
    case 'servicebus':
      return import('@kqlgate/servicebus-emulator');
    case 'demo':
      return import('@kqlgate/demo-shop');
  }
}

async function startPart(
  request: Extract<BackgroundThreadRequest, { type: 'start' }>,
  port: MessagePort,
): Promise<RunningPart> {
  const spec = request.spec;
  switch (spec.service) {
    case 'kusto': {
      const { startKustoEmulator, connectCompilerThread } = await import('@kqlgate/kusto-emulator');
      const kql = request.compilerPort ? connectCompilerThread(request.compilerPort) : undefined;
      kql?.setLogLevel(request.logLevel);
      // With a compiler thread, ready as soon as DuckDB is open: control commands that need no KQL (tables,
      // mappings, functions) run while that thread still pays Kusto.Language's start-up.
      const engine = await startKustoEmulator({
        host: spec.host,
        port: spec.port,
        dataDir: spec.dataDir,
        databases: spec.databases,
        memoryLimit: spec.memoryLimit,
        logger: createLogger('kusto-emulator'),
        compilerLogger: createLogger('kql-compiler'),
        metrics: { prefix: PACKAGE_METRIC_PREFIXES.kustoEmulator },
        compilerLoader: kql?.loader,
        warmUpCompiler: true,
      });
      return {
        ...engine,
        close: async () => {
          await engine.close();
          await kql?.close();
        },
      };
    }
    case 'servicebus': {
      const { startServiceBusEmulator } = await import('@kqlgate/servicebus-emulator');
      const broker = await startServiceBusEmulator({
        host: spec.host,
        port: spec.port,
        dataDir: spec.dataDir,
        configFile: spec.configFile,
        logger: createLogger('servicebus-emulator'),
        metrics: { prefix: PACKAGE_METRIC_PREFIXES.servicebusEmulator },
      });
      return { url: `sb://${spec.host}:${broker.port}`, port: broker.port, close: () => broker.close() };
    }
    case 'demo':
      return startDemo(spec, port);
  }
}

function run(): void {
  const port = parentPort;
  if (!port) {
    throw new Error('background-thread-worker must run in a worker thread (started by background-thread.ts)');
  }
  const { service } = workerData as BackgroundThreadData;
  // A module that fails to load is reported when 'start' arrives, as that start's failure.
  const preloaded = preload(service).then(
    () => undefined,
    (error: unknown) => error,
  );
  port.on(
    'message',
    backgroundRequestHandler({
      preloaded,
      startPart: (request) => {
        setLogLevel(request.logLevel);
        return startPart(request, port);
      },
      reply: (message: BackgroundThreadReply) => port.postMessage(message),
      done: () => port.close(),
    }),
  );
}

run();
