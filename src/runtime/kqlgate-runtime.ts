import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createLogger } from '../common/logging/logger.js';
import { resolve } from 'node:path';
import type { MessagePort } from 'node:worker_threads';
import type { EnvConfig } from '../config/env.dto.js';
import type { IngestionPipeline } from '../ingestion/ingestion-pipeline.js';
import type { CatalogAnalyzer } from '../modules/catalog/catalog-analyzer.js';
import type { EarlyThreads } from './early-threads.js';
import { startEmbeddedStack } from './embedded-stack.js';
import { secondsSinceStart } from './seconds-since-start.js';
import { ShutdownCoordinator, StartInterrupted } from './shutdown-coordinator.js';

export interface RunningKqlgate {
  app: NestFastifyApplication;
  url: string;
  shutdown: ShutdownCoordinator;
  /** Stops everything in order (what SIGTERM does) and resolves the exit code. */
  close(): Promise<number>;
}

export interface KqlgateOptions {
  /** Re-analyze kql/ on change (`npm start -- --watch`). */
  watchKql?: boolean;
  /** Exit on SIGTERM/SIGINT after a graceful shutdown; off when embedded in a test process. Default true. */
  handleSignals?: boolean;
  /** Print the start-up banner (URLs, a dev token, example calls) on stdout. Default false. */
  banner?: boolean;
  /**
   * Run the embedded engine, the embedded broker, the demo producer and the analysis of kql/ each in a worker
   * thread (needs dist/; `npm start` does). Default false: tests that embed kqlgate run from sources in one thread.
   */
  workerThreads?: boolean;
  /** The engine and broker threads main.ts spawned before validating the configuration (with workerThreads). */
  earlyThreads?: EarlyThreads;
}

/**
 * The data path's modules, loaded while the embedded services start: the storage deploy's first (the Kusto client),
 * which the first step needs, then the demo producer's and the ingestion's (the Service Bus and ingest clients),
 * which load while storage is created. The gateway's modules (Nest, Apollo: over a second to load) come after the
 * data path runs, so that loading them never holds up the first events.
 */
function loadDataPathModules() {
  const storage = import('./storage-first-deploy.js');
  const rest = storage.then(() =>
    Promise.all([import('./demo-traffic.js'), import('../ingestion/started-ingestion.js')]),
  );
  return {
    storage: storage.then((module) => ({
      deployStorageFirst: module.deployStorageFirst,
    })),
    rest: rest.then(([demo, ingestion]) => ({
      startDemoTraffic: demo.startDemoTraffic,
      buildIngestionPipeline: ingestion.buildIngestionPipeline,
    })),
  };
}

/** How long `npm start` with demo traffic waits for the first ingested batch before it loads the gateway. */
const FIRST_BATCH_WAIT_MS = 3_000;

function firstCommitOrTimeout(pipeline: IngestionPipeline, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolveWait) => {
    const timer = setTimeout(done, timeoutMs);
    const unsubscribe = pipeline.onBatchCommitted(done);
    function done(): void {
      clearTimeout(timer);
      unsubscribe();
      resolveWait();
    }
  });
}

/**
 * Starts the analysis of kql/ in another thread now — the embedded engine's, which has Kusto.Language loaded
 * already, or else a thread of its own — so the catalog is (nearly) ready when the gateway asks for it. The thread
 * stays for `--watch` reloads.
 */
async function analyzeCatalogInThread(
  config: EnvConfig,
  shutdown: ShutdownCoordinator,
  enginePort: MessagePort | undefined,
): Promise<CatalogAnalyzer> {
  const [{ RemoteCatalogAnalyzer }, { KqlDirectorySource }] = await Promise.all([
    import('../modules/catalog/remote-catalog-analyzer.js'),
    import('../modules/catalog/kql-directory.source.js'),
  ]);
  const logger = createLogger('catalog');
  const analyzer = enginePort
    ? RemoteCatalogAnalyzer.overPort(enginePort, logger)
    : RemoteCatalogAnalyzer.inOwnThread(logger);
  // Registered before the gateway, so it closes after it.
  shutdown.add({ name: 'catalog-analysis', close: () => analyzer.close() });
  // The catalog service's first build is version 1.
  analyzer.prefetch(await new KqlDirectorySource(resolve(config.KQL_DIR)).read(), 1);
  return analyzer;
}

/**
 * Starts kqlgate in one process and wires graceful shutdown: the gateway stops accepting and drains in-flight
 * requests first, then the components below it close.
 */
export async function startKqlgate(
  configured: EnvConfig,
  options: KqlgateOptions = {},
): Promise<RunningKqlgate> {
  const logger = createLogger('runtime');
  const shutdown = new ShutdownCoordinator(logger, configured.SHUTDOWN_TIMEOUT_MS);
  // From the embedded stack on, the configuration with the ports its services bound (0 in `configured`: any port).
  let config = configured;
  if (options.handleSignals ?? true) {
    shutdown.installSignalHandlers();
  }

  let app: NestFastifyApplication;
  const dataPathLoaded = loadDataPathModules();
  // Awaited after the stack is up; until then a failure to load must not surface as an unhandled rejection.
  dataPathLoaded.storage.catch(() => undefined);
  dataPathLoaded.rest.catch(() => undefined);
  try {
    const stack = await startEmbeddedStack(configured, shutdown, logger, {
      threads: options.workerThreads,
      early: options.earlyThreads,
    });
    config = stack.config;
    const { deployStorageFirst } = await dataPathLoaded.storage;
    // A signal during start-up: stop at the next step rather than start what the shutdown already passed by.
    shutdown.assertStarting('creating storage');
    // Storage, ingestion and demo first, then the gateway: events flow into the engine while the gateway starts.
    // - The engine creates tables, mappings and functions while its compiler thread still pays Kusto.Language's
    //   start-up; the update policies wait for it.
    // - The demo's thread is spawned now, so its modules load meanwhile, and starts publishing once the start-up is
    //   paid: earlier, its CPU would slow the step everything waits for.
    // - The ingestion subscribes at the same moment and ingests from the moment storage is ready.
    const demoThread =
      options.workerThreads && config.DEMO_RATE > 0
        ? await import('./background-thread.js').then(({ spawnBackgroundThread }) => {
            const thread = spawnBackgroundThread('demo');
            shutdown.add({ name: 'demo-thread', close: () => thread.discard() }, { closeFirst: true });
            return thread;
          })
        : undefined;
    const demoStarted = Promise.all([stack.kustoWarmedUp, dataPathLoaded.rest]).then(
      ([, { startDemoTraffic }]) => {
        if (shutdown.stopping) {
          return undefined;
        }
        const demo = startDemoTraffic(config, logger, { thread: options.workerThreads, spawned: demoThread });
        if (demo) {
          // The "OLTP app" stops before anything it feeds, even if a signal arrives before the gateway is up.
          shutdown.add(demo, { closeFirst: true });
        }
        return demo;
      },
    );
    // Awaited below; a failure before that point must not surface as an unhandled rejection.
    demoStarted.catch(() => undefined);
    // Logs its own failures (the catalog's deploy creates storage again and reports them).
    const storageReady = deployStorageFirst(config, logger, () => shutdown.stopping);
    storageReady.catch(() => undefined);
    const [{ buildIngestionPipeline }] = await Promise.all([dataPathLoaded.rest, stack.kustoWarmedUp]);
    shutdown.assertStarting('the ingestion');
    const pipeline = buildIngestionPipeline(config, createLogger('ingestion'));
    // Registered before the gateway, so it closes after it (the app also stops it; both wait for one drain).
    shutdown.add({ name: 'ingestion', close: () => pipeline.stop() });
    // Watched from before the start, so a quick first batch is not missed.
    const firstBatch = firstCommitOrTimeout(pipeline, FIRST_BATCH_WAIT_MS);
    await pipeline.start({ ingestAfter: storageReady });
    await storageReady;
    if (await demoStarted) {
      // Loading the gateway keeps this thread busy for a second or more, and the analysis of kql/ the compiler
      // thread; with demo traffic on its way, let the first batch through first, so the API comes up with data in
      // it (bounded: the demo may be slow or broken).
      await firstBatch;
    }
    shutdown.assertStarting('the analysis of kql/');
    const catalogAnalyzer = options.workerThreads
      ? await analyzeCatalogInThread(config, shutdown, stack.catalogPort)
      : undefined;
    const { createApp } = await import('../create-app.js');
    app = await createApp(config, {
      watchKql: options.watchKql,
      ingestionPipeline: pipeline,
      catalogAnalyzer,
    });
    const gateway = app;
    shutdown.add({ name: 'gateway', close: () => gateway.close() });
    shutdown.assertStarting('listening');
    await app.listen({ port: config.PORT, host: config.HOST });
  } catch (error) {
    if (error instanceof StartInterrupted || shutdown.stopping) {
      // The signal's shutdown closes what started and exits; a step that failed because its service was closed
      // under it is no start-up failure.
      logger.info(
        { step: error instanceof StartInterrupted ? error.step : undefined },
        'start-up interrupted by the shutdown',
      );
      await shutdown.shutdown('start-up interrupted');
      throw error instanceof StartInterrupted ? error : new StartInterrupted('the end of start-up');
    }
    // Whatever did start (engine, broker, demo, half-built app) must not outlive a failed start.
    await shutdown.shutdown('start-up failed');
    throw error;
  }
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const url = `http://${config.HOST}:${port}`;
  const since = secondsSinceStart();
  logger.info({ url, sinceStartS: since }, `kqlgate listening on ${url} after ${since} s`);

  if (options.banner ?? false) {
    const { startupBanner } = await import('./startup-banner.js');
    process.stdout.write(`${await startupBanner(config, app, url)}\n`);
  }
  return { app, url, shutdown, close: () => shutdown.shutdown('close') };
}
