import { join, resolve } from 'node:path';
import type { MessagePort } from 'node:worker_threads';
import type { Logger } from '../common/logging/logger.js';
import { createLogger } from '../common/logging/logger.js';
import { PACKAGE_METRIC_PREFIXES } from '../common/metrics/metrics.registry.js';
import { EnvConfig } from '../config/env.dto.js';
import { servicebusEntitiesFile } from '../config/servicebus-entities-file.js';
import { secondsSinceStart } from './seconds-since-start.js';
import type { EarlyThreads } from './early-threads.js';
import type { ShutdownCoordinator } from './shutdown-coordinator.js';

export interface EmbeddedStack {
  /**
   * The configuration to use from now on: the one given, with the ports the embedded services bound when it said 0
   * (the OS picks one). Its kustoClusterUrl / serviceBusConnectionString are how everything else reaches them.
   */
  config: EnvConfig;
  kusto?: { url: string; port: number };
  serviceBus?: { port: number };
  /**
   * With threads: a port to the engine's compiler thread, which also analyzes kql/
   * (RemoteCatalogAnalyzer.overPort).
   */
  catalogPort?: MessagePort;
  /** Resolves when the embedded engine has warmed up its KQL compiler (at once when there is nothing to wait for). */
  kustoWarmedUp: Promise<void>;
}

export interface EmbeddedStackOptions {
  /**
   * Run the engine and the broker each in a worker thread (`npm start`), so their CPU work overlaps the main
   * thread's instead of queueing behind it. Needs the compiled build (dist/); tests that embed kqlgate in their
   * own process keep the default, the main thread.
   */
  threads?: boolean;
  /** Threads spawned at process start (main.ts), used instead of new ones; those not needed are discarded. */
  early?: EarlyThreads;
}

interface StartedService {
  url: string;
  port: number;
  warmedUp?: Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts the embedded engine and/or broker for whichever Azure service is not configured, on the fixed
 * KUSTO_EMBEDDED_PORT / SERVICEBUS_EMBEDDED_PORT of 127.0.0.1, with their data under DATA_DIR. Everything else
 * reaches them through EnvConfig.kustoClusterUrl / serviceBusConnectionString — the same protocols as Azure. A port
 * of 0 lets the OS pick one: use the returned `stack.config`, which names the port bound.
 */
export async function startEmbeddedStack(
  config: EnvConfig,
  shutdown: ShutdownCoordinator,
  logger: Logger,
  options: EmbeddedStackOptions = {},
): Promise<EmbeddedStack> {
  const dataDir = resolve(config.DATA_DIR);
  let catalogPort: MessagePort | undefined;
  const threadOptions = {
    logLevel: config.LOG_LEVEL,
    logger,
    onCrash: (error: Error) => {
      logger.error({ err: error }, 'an embedded service stopped unexpectedly; shutting down');
      void shutdown.shutdown('embedded service crashed').then(() => process.exit(1));
    },
  };
  const kusto = async (): Promise<StartedService> => {
    const spec = {
      service: 'kusto' as const,
      host: '127.0.0.1',
      port: config.KUSTO_EMBEDDED_PORT,
      dataDir: join(dataDir, 'kusto'),
      databases: [config.KUSTO_DATABASE],
      memoryLimit: config.KUSTO_EMBEDDED_MEMORY_LIMIT,
    };
    if (options.threads) {
      const [{ spawnBackgroundThread }, { spawnKqlThread }] = await Promise.all([
        import('./background-thread.js'),
        import('./kql-thread.js'),
      ]);
      const kql = options.early?.kql ?? spawnKqlThread();
      kql.onFailure((error) => logger.error({ err: error }, 'the Kusto.Language thread failed'));
      // Registered before the engine, so it closes after it.
      shutdown.add({ name: 'kql-thread', close: () => kql.close() });
      const thread = options.early?.kusto ?? spawnBackgroundThread('kusto');
      // Registered before it starts: a signal during the start closes it through the thread, never mid-load.
      shutdown.add({ name: 'kusto-emulator', close: () => thread.discard() });
      const engine = await thread.start(spec, { ...threadOptions, compilerPort: kql.takeCompilerPort() });
      catalogPort = kql.catalogPort;
      return engine;
    }
    const { startKustoEmulator } = await import('@kqlgate/kusto-emulator');
    return startKustoEmulator({
      ...spec,
      logger: createLogger('kusto-emulator'),
      compilerLogger: createLogger('kql-compiler'),
      metrics: { prefix: PACKAGE_METRIC_PREFIXES.kustoEmulator },
    });
  };
  const serviceBus = async (): Promise<StartedService> => {
    const spec = {
      service: 'servicebus' as const,
      host: '127.0.0.1',
      port: config.SERVICEBUS_EMBEDDED_PORT,
      dataDir: join(dataDir, 'servicebus'),
      configFile: servicebusEntitiesFile(),
    };
    if (options.threads) {
      const { spawnBackgroundThread } = await import('./background-thread.js');
      const thread = options.early?.servicebus ?? spawnBackgroundThread('servicebus');
      shutdown.add({ name: 'servicebus-emulator', close: () => thread.discard() });
      return thread.start(spec, threadOptions);
    }
    const { startServiceBusEmulator } = await import('@kqlgate/servicebus-emulator');
    const broker = await startServiceBusEmulator({
      ...spec,
      logger: createLogger('servicebus-emulator'),
      metrics: { prefix: PACKAGE_METRIC_PREFIXES.servicebusEmulator },
    });
    return { url: `sb://127.0.0.1:${broker.port}`, port: broker.port, close: () => broker.close() };
  };

  // Spawned early for a configuration that, validated, points at Azure instead.
  await Promise.all([
    config.kustoEmbedded && options.threads
      ? undefined
      : options.early?.kusto?.discard().then(() => options.early?.kql?.close()),
    config.serviceBusEmbedded && options.threads ? undefined : options.early?.servicebus?.discard(),
  ]);
  const started = Date.now();
  const [kustoService, serviceBusService] = await Promise.allSettled([
    config.kustoEmbedded ? kusto() : Promise.resolve(undefined),
    config.serviceBusEmbedded ? serviceBus() : Promise.resolve(undefined),
  ]);
  const stack: EmbeddedStack = {
    config,
    catalogPort,
    kustoWarmedUp:
      (kustoService.status === 'fulfilled' ? kustoService.value?.warmedUp : undefined) ?? Promise.resolve(),
  };
  if (kustoService.status === 'fulfilled' && kustoService.value) {
    const service = kustoService.value;
    if (!options.threads) {
      shutdown.add({ name: 'kusto-emulator', close: () => service.close() });
    }
    stack.kusto = { url: service.url, port: service.port };
    logger.info(
      {
        url: service.url,
        ms: Date.now() - started,
        sinceStartS: secondsSinceStart(),
        thread: !!options.threads,
      },
      'embedded Kusto engine ready',
    );
  }
  if (serviceBusService.status === 'fulfilled' && serviceBusService.value) {
    const service = serviceBusService.value;
    if (!options.threads) {
      shutdown.add({ name: 'servicebus-emulator', close: () => service.close() });
    }
    stack.serviceBus = { port: service.port };
    logger.info(
      {
        port: service.port,
        ms: Date.now() - started,
        sinceStartS: secondsSinceStart(),
        thread: !!options.threads,
      },
      'embedded Service Bus broker ready',
    );
  }
  for (const result of [kustoService, serviceBusService]) {
    if (result.status === 'rejected') {
      // The one that did start is registered (threads: from their spawn), so the caller's shutdown stops it.
      throw result.reason;
    }
  }
  return { ...stack, config: withBoundPorts(config, stack) };
}

/**
 * With a port of 0, kustoClusterUrl would name port 0 (no client reaches the engine) and the Service Bus connection
 * string too, which the SDK dials as its default 5672: the ingestion and the demo would get ECONNREFUSED — or
 * another broker's messages. The configuration is frozen (loadConfig), so a copy carries the ports bound.
 */
function withBoundPorts(config: EnvConfig, stack: EmbeddedStack): EnvConfig {
  const kustoPort = stack.kusto?.port ?? config.KUSTO_EMBEDDED_PORT;
  const serviceBusPort = stack.serviceBus?.port ?? config.SERVICEBUS_EMBEDDED_PORT;
  if (kustoPort === config.KUSTO_EMBEDDED_PORT && serviceBusPort === config.SERVICEBUS_EMBEDDED_PORT) {
    return config;
  }
  return Object.freeze(
    Object.assign(new EnvConfig(), config, {
      KUSTO_EMBEDDED_PORT: kustoPort,
      SERVICEBUS_EMBEDDED_PORT: serviceBusPort,
    }),
  );
}
