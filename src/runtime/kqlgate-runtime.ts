import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createLogger } from '../common/logging/logger.js';
import type { EnvConfig } from '../config/env.dto.js';
import { createApp } from '../create-app.js';
import { startDemoTraffic } from './demo-traffic.js';
import { startEmbeddedStack } from './embedded-stack.js';
import { startupBanner } from './startup-banner.js';
import { secondsSinceStart } from './seconds-since-start.js';
import { ShutdownCoordinator, type Closer } from './shutdown-coordinator.js';
import { deployStorageFirst } from './storage-first-deploy.js';

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
  let demo: Closer | undefined;
  try {
    await startEmbeddedStack(config, shutdown, logger);
    // Storage first, then the demo's events, then the gateway: ingestion (started with the app) has tables to
    // write to and events to read while the stored functions are analyzed, which takes seconds of CPU.
    await deployStorageFirst(config, logger);
    demo = startDemoTraffic(config, logger);
    app = await createApp(config, { watchKql: options.watchKql });
    const gateway = app;
    shutdown.add({ name: 'gateway', close: () => gateway.close() });
    await app.listen({ port: config.PORT, host: config.HOST });
  } catch (error) {
    // Whatever did start (engine, broker, demo, half-built app) must not outlive a failed start.
    if (demo) {
      shutdown.add(demo);
    }
    await shutdown.shutdown('start-up failed');
    throw error;
  }
  // Closers run last-added first: the demo producer (the "OLTP app") stops before the gateway and ingestion.
  if (demo) {
    shutdown.add(demo);
  }
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const url = `http://${config.HOST}:${port}`;
  const since = secondsSinceStart();
  logger.info({ url, sinceStartS: since }, `kqlgate listening on ${url} after ${since} s`);

  if (options.banner ?? false) {
    process.stdout.write(`${await startupBanner(config, app, url)}\n`);
  }
  return { app, url, shutdown, close: () => shutdown.shutdown('close') };
}
