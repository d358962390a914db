/**
 * The ingestion consumer: Service Bus subscription → batches → the Kusto engine (src/ingestion). It subscribes at
 * once; with `ingestAfter`, batches wait for that promise (the gateway deploying kql/ to the embedded engine).
 */
import { createLogger } from '../../common/logging/logger.js';
import type { EnvConfig } from '../../config/env.dto.js';
import type { IngestionPipeline } from '../../ingestion/ingestion-pipeline.js';
import type { Part } from '../part.js';

export interface IngestionInput {
  config: EnvConfig;
  ingestAfter?: Promise<void>;
}

export const part: Part<IngestionInput, { pipeline: IngestionPipeline }> = {
  async start({ config, ingestAfter }) {
    const { buildIngestionPipeline } = await import('../../ingestion/started-ingestion.js');
    const pipeline = buildIngestionPipeline(config, createLogger('ingestion'));
    await pipeline.start({ ingestAfter });
    return { facts: { pipeline }, close: () => pipeline.stop() };
  },
};
