import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createLogger } from '../common/logging/logger.js';
import { startTelemetry } from '../common/telemetry/telemetry-starter.js';
import type { EnvConfig } from '../config/env.dto.js';
import { KQLGATE_PARTS, type PartWiring } from './kqlgate-parts.js';
import type { PartHostOptions } from './part-host.js';
import { secondsSinceStart } from './seconds-since-start.js';
import { ShutdownCoordinator, StartInterrupted } from './shutdown-coordinator.js';
import { whenAborted } from './when-aborted.js';

export interface RunningKqlgate {
  /** The HTTP application of the role (for the ingestion role: /health and /metrics). */
  app: NestFastifyApplication;
  url: string;
  /** The configuration in use: the one given, with the ports the embedded services bound when it said 0. */
  config: EnvConfig;
  shutdown: ShutdownCoordinator;
  /** Stops everything in reverse order (what SIGTERM does) and resolves the exit code. */
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
 * Starts the parts of kqlgate-parts.ts that the configuration runs, each once the parts it needs are ready, and
 * wires graceful shutdown: the parts close in reverse order. A signal during start-up closes what has started.
 */
export async function startKqlgate(
  configured: EnvConfig,
  options: KqlgateOptions = {},
): Promise<RunningKqlgate> {
  const logger = createLogger('runtime');
  const shutdown = new ShutdownCoordinator(logger, configured.SHUTDOWN_TIMEOUT_MS);
  if (options.handleSignals ?? true) {
    shutdown.installSignalHandlers();
  }
  // Before any part's code loads (their spans need the tracer provider); closed last, so the spans and metrics of
  // the others' shutdown are exported too.
  const telemetry = await startTelemetry(configured);
  if (telemetry) {
    shutdown.add({ name: 'telemetry', close: () => telemetry.shutdown() });
    logger.info({ export: configured.telemetryExport }, 'OpenTelemetry traces and metrics on');
  }
  const host: PartHostOptions = {
    logLevel: configured.LOG_LEVEL,
    signal: shutdown.signal,
    onCrash: (name, error) => {
      logger.error({ part: name, err: error }, `${name} stopped unexpectedly; shutting down`);
      void shutdown.shutdown(`${name} crashed`).then(() => process.exit(1));
    },
  };
  const wiring: PartWiring = { config: configured, watchKql: options.watchKql ?? false };
  const ready = new Map<string, Promise<void>>();
  // A part waiting for the ones it needs stops waiting when the shutdown begins.
  const stopped = whenAborted(shutdown.signal);
  try {
    for (const part of KQLGATE_PARTS.filter((candidate) => candidate.runs(configured))) {
      // Its code loads from now on; it starts once the parts it needs are ready.
      const prepared = part.prepare(host);
      let running: { close(): Promise<void> } | undefined;
      const needed = Promise.all(part.needs.map((name) => ready.get(name) ?? Promise.resolve()));
      const started = Promise.race([needed, stopped]).then(async () => {
        shutdown.assertStarting(part.name);
        const began = Date.now();
        running = await prepared.start(wiring);
        logger.info({ ms: Date.now() - began, sinceStartS: secondsSinceStart() }, `${part.name} ready`);
      });
      // Awaited below with the others; until then a failure must not be an unhandled rejection.
      started.catch(() => undefined);
      ready.set(part.name, started);
      shutdown.add({
        name: part.name,
        close: async () => {
          if (!running) {
            // Still starting: the shutdown's signal told it to end (a worker's thread ends its start on discard).
            await prepared.discard();
            await started.catch(() => undefined);
          }
          await running?.close();
        },
      });
    }
    await Promise.all(ready.values());
    // A route refused by the ingestion's table check fails the start-up like a part that failed to start.
    await Promise.race([wiring.ingestionChecked, stopped]);
    shutdown.assertStarting('listening');
  } catch (error) {
    if (error instanceof StartInterrupted || shutdown.stopping) {
      // The signal's shutdown closes what started and exits; a part that failed because the shutdown began is no
      // start-up failure.
      logger.info(
        { step: error instanceof StartInterrupted ? error.step : undefined },
        'start-up interrupted by the shutdown',
      );
      await shutdown.shutdown('start-up interrupted');
      throw error instanceof StartInterrupted ? error : new StartInterrupted('the end of start-up');
    }
    // Whatever did start must not outlive a failed start.
    await shutdown.shutdown('start-up failed');
    throw error;
  }
  const { app, url } = wiring.gateway ?? {};
  if (!app || !url) {
    throw new Error('kqlgate started no HTTP application: the gateway part did not run');
  }
  const since = secondsSinceStart();
  logger.info({ url, sinceStartS: since }, `kqlgate listening on ${url} after ${since} s`);

  if (options.banner ?? false) {
    const { startupBanner } = await import('./startup-banner.js');
    process.stdout.write(`${await startupBanner(wiring.config, app, url)}\n`);
  }
  return { app, url, config: wiring.config, shutdown, close: () => shutdown.shutdown('close') };
}
