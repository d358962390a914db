import type { ModuleRef } from '@nestjs/core';
import type { BatchCommitSource } from './cache-invalidator.js';

/**
 * IngestionEvents when the ingestion module runs in this process (KQLGATE_ROLE all or ingestion), else undefined.
 * Resolved loosely — a dynamic import and a non-strict lookup — so the gateway's modules never import ingestion.
 */
export async function inProcessIngestionEvents(moduleRef: ModuleRef): Promise<BatchCommitSource | undefined> {
  try {
    const { IngestionEvents } = await import('../../ingestion/ingestion-events.js');
    return moduleRef.get(IngestionEvents, { strict: false });
  } catch {
    return undefined;
  }
}
