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
import { ShutdownCoordinator } from './shutdown-coordinator.js';

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
 * The data path's modules (storage deploy, demo producer, ingestion): loaded while the embedded services start.
 * The gateway's modules (Nest, Apollo: over a second to load) come after the data path runs, so that loading them
 * never holds up the first events.
 */
async function loadDataPathModules() {
  const [storage, demo, ingestion] = await Promise.all([
    import('./storage-first-deploy.js'),
    import('./demo-traffic.js'),
    import('../ingestion/started-ingestion.js'),
  ]);
  return {
    deployStorageFirst: storage.deployStorageFirst,
    deployFunctionsAhead: storage.deployFunctionsAhead,
    startDemoTraffic: demo.startDemoTraffic,
    buildIngestionPipeline: ingestion.buildIngestionPipeline,
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
export async function startKqlgate(config: EnvConfig, options: KqlgateOptions = {}): Promise<RunningKqlgate> {
  const logger = createLogger('runtime');
  const shutdown = new ShutdownCoordinator(logger, config.SHUTDOWN_TIMEOUT_MS);
  if (options.handleSignals ?? true) {
    shutdown.installSignalHandlers();
  }

  let app: NestFastifyApplication;
  const dataPathLoaded = loadDataPathModules();
  // Awaited after the stack is up; until then a failure to load must not surface as an unhandled rejection.
  dataPathLoaded.catch(() => undefined);
  try {
    const stack = await startEmbeddedStack(config, shutdown, logger, {
      threads: options.workerThreads,
      early: options.earlyThreads,
    });
    const { deployStorageFirst, deployFunctionsAhead, startDemoTraffic, buildIngestionPipeline } =
      await dataPathLoaded;
    // Storage first, then the demo and the ingestion, then the gateway: events flow into the engine while the
    // gateway starts. The demo starts once the engine has warmed up (started earlier, its CPU would slow the
    // engine's Kusto.Language start-up, which everything waits for); it loads while storage is created.
    await stack.kustoWarmedUp;
    const demo = startDemoTraffic(config, logger, { thread: options.workerThreads });
    if (demo) {
      // The "OLTP app" stops before anything it feeds, even if a signal arrives before the gateway is up.
      shutdown.add(demo, { closeFirst: true });
    }
    await deployStorageFirst(config, logger);
    const pipeline = buildIngestionPipeline(config, createLogger('ingestion'));
    // Registered before the gateway, so it closes after it (the app also stops it; both wait for one drain).
    shutdown.add({ name: 'ingestion', close: () => pipeline.stop() });
    await pipeline.start();
    await deployFunctionsAhead(config, logger);
    if (demo) {
      // Loading the gateway keeps this thread busy for a second or more, and the analysis of kql/ the engine's
      // thread; with demo traffic on its way, let the first batch through first, so the API comes up with data in
      // it (bounded: the demo may be slow or broken).
      await firstCommitOrTimeout(pipeline, FIRST_BATCH_WAIT_MS);
    }
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
    await app.listen({ port: config.PORT, host: config.HOST });
  } catch (error) {
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
