/** A routed and encoded message on its way through a batch: what every stage after admission works on. */
import type { SourceMessage } from './subscription-receiver.js';
import type { RouteTarget } from './table-router.js';

export interface PipelineEntry {
  message: SourceMessage;
  target: RouteTarget;
  payload: Buffer;
  rows: number;
  /** Table + format + mapping: entries with the same key share a batch. */
  batchKey: string;
  /** Table + message id: at most one entry per key is between routing and settlement at a time. */
  idKey: string;
  /**
   * The message's ingest-by tag in its table (ingest-by-tag.ts), hashed once here: the batch counts its bytes against
   * a queued ingestion's tag budget, and the sink writes this same tag.
   */
  ingestByTag: string;
}
