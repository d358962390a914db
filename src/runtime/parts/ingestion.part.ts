/**
 * The ingestion consumer: Service Bus subscription → batches → the Kusto engine (src/ingestion). It subscribes at
 * once; with `ingestAfter`, batches wait for that promise (the gateway deploying kql/ to the embedded engine).
 */
import { createLogger } from '../../common/logging/logger.js';
import type { EnvConfig } from '../../config/env.dto.js';
import type { IngestionPipeline } from '../../ingestion/ingestion-pipeline.js';
// Static: the Service Bus and Kusto SDKs load when the part is prepared, while the main thread waits for the broker
// and the engine, not after them.
import { buildIngestionPipeline } from '../../ingestion/started-ingestion.js';
import type { Part } from '../part.js';
import { whenAborted } from '../when-aborted.js';

export interface IngestionInput {
  config: EnvConfig;
  ingestAfter?: Promise<void>;
}

export interface IngestionFacts {
  pipeline: IngestionPipeline;
  /** Settles once the gate has opened and the routes' tables were checked; rejects when a route is refused. */
  checked: Promise<void>;
}

export const part: Part<IngestionInput, IngestionFacts> = {
  async start({ config, ingestAfter }, { signal }) {
    signal.throwIfAborted();
    const pipeline = buildIngestionPipeline(config, createLogger('ingestion'));
    const checked = pipeline.start({ ingestAfter });
    if (!ingestAfter) {
      // A shutdown during the check (an engine that does not answer yet) does not wait for it: the pipeline stops,
      // and the check left running ends with the process.
      await Promise.race([checked, whenAborted(signal)]);
      if (signal.aborted) {
        checked.catch(() => undefined);
        await pipeline.stop();
        signal.throwIfAborted();
      }
    } else {
      // The gate is opened by a later part (the gateway deploys kql/ to the embedded engine), so waiting for the
      // check here would wait for a part that waits for this one. The runtime awaits `checked` once all parts started.
      checked.catch(() => undefined);
    }
    return { facts: { pipeline, checked }, close: () => pipeline.stop() };
  },
};
