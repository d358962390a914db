/**
 * The notify step: tells onBatchCommitted listeners (cache invalidation) that rows are durably in a table. A listener
 * that throws is logged and never reaches the batch, whose messages still settle.
 */
import type { Logger } from '../common/logging/logger.js';

export interface BatchCommittedEvent {
  database: string;
  table: string;
  rows: number;
}

export type BatchCommittedListener = (event: BatchCommittedEvent) => void;

export class BatchCommittedNotifier {
  private readonly listeners = new Set<BatchCommittedListener>();

  constructor(private readonly logger: Logger) {}

  /** Returns an unsubscribe function. */
  add(listener: BatchCommittedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: BatchCommittedEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.logger.error({ err: error, event }, 'onBatchCommitted listener threw');
      }
    }
  }
}
