/** What an IngestionPipeline is built from (ingestion-factory fills it from settings) and what it reports. */
import type { Logger } from '../common/logging/logger.js';
import type { BatchLimits } from './batch-accumulator.js';
import type { BackoffPolicy } from './backoff.js';
import type { Clock } from './clock.js';
import type { DedupMode } from './dedup-filter.js';
import type { IngestionMetrics } from './ingestion-metrics.js';
import type { IngestSink } from './kusto-ingest-sink.js';
import type { MessageIdIndex } from './message-id-index.js';
import type { MessageLimits } from './message-limits.js';
import type { MessageSource } from './subscription-receiver.js';
import type { TableRouter } from './table-router.js';

export interface IngestionPipelineOptions {
  database: string;
  batch: BatchLimits;
  /** Received-but-unsettled messages allowed at once; reception waits beyond it. */
  maxInFlight: number;
  /** Batches ingested concurrently. */
  maxParallelIngests: number;
  dedup: DedupMode;
  /** Column holding `messageId` in every deduplicated table. */
  dedupColumn: string;
  backoff: BackoffPolicy;
  /** How long stop() waits for in-flight batches before abandoning them. */
  drainTimeoutMs: number;
  /** A dependency failing for longer than this fails its readiness check. */
  unreachableThresholdMs: number;
  /** Body size and JSON depth accepted at admission (default DEFAULT_MESSAGE_LIMITS). */
  limits?: MessageLimits;
  /** Messages held but none settled for this long: progressStatus() reports a stall (default 120 s). */
  stallThresholdMs?: number;
}

export const DEFAULT_STALL_THRESHOLD_MS = 120_000;

export interface IngestionPipelineDeps {
  source: MessageSource;
  sink: IngestSink;
  router: TableRouter;
  /** Required when options.dedup is `table`. */
  index?: MessageIdIndex;
  clock?: Clock;
  logger?: Logger;
  metrics?: IngestionMetrics;
  random?: () => number;
}

export interface IngestionStats {
  received: number;
  ingested: number;
  duplicates: number;
  deadLettered: number;
  abandoned: number;
  inFlight: number;
  paused: boolean;
  /** How many times reception was paused because the engine failed transiently. */
  pauses: number;
  batches: number;
}
