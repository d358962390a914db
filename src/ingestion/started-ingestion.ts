/**
 * Starts the ingestion pipeline outside Nest. `npm start` does this before it loads the gateway, so events flow
 * into the engine while the gateway's modules load and the stored functions are analyzed; the application then
 * adopts the running pipeline (IngestionService) for readiness, cache invalidation and shutdown.
 */
import type { Logger } from '../common/logging/logger.js';
import type { EnvConfig } from '../config/env.dto.js';
import { createIngestionPipeline, ingestionSettingsFromConfig } from './ingestion-factory.js';
import type { IngestionPipeline } from './ingestion-pipeline.js';

/** Nest injection token of a pipeline started before the application (see AppOptions.ingestionPipeline). */
export const STARTED_INGESTION_PIPELINE = Symbol('STARTED_INGESTION_PIPELINE');

/** Logs the start-up milestone `first event ingested after X s` (README's timings, the `demo` bench) once. */
function logFirstCommit(pipeline: IngestionPipeline, logger: Logger): void {
  let first = true;
  pipeline.onBatchCommitted((event) => {
    if (!first) {
      return;
    }
    first = false;
    const seconds = Math.round(process.uptime() * 100) / 100;
    logger.info(
      { table: event.table, rows: event.rows, sinceStartS: seconds },
      `first event ingested after ${seconds} s`,
    );
  });
}

/** A pipeline built from the configuration, with its start-up milestone logged, not yet started. */
export function buildIngestionPipeline(config: EnvConfig, logger: Logger): IngestionPipeline {
  const pipeline = createIngestionPipeline(ingestionSettingsFromConfig(config), { logger });
  logFirstCommit(pipeline, logger);
  return pipeline;
}
