import { Injectable } from '@nestjs/common';
import type { BatchCommittedEvent, BatchCommittedListener } from './ingestion-pipeline.js';

/**
 * Nest-injectable fan-out of "rows landed in table T" — the gateway's cache subscribes to invalidate entries
 * that read T, so answers are fresh right after ingestion instead of after a TTL.
 */
@Injectable()
export class IngestionEvents {
  private readonly listeners = new Set<BatchCommittedListener>();

  onBatchCommitted(listener: BatchCommittedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: BatchCommittedEvent): void {
    for (const listener of this.listeners) {
      listener(event);
    }
  }
}
