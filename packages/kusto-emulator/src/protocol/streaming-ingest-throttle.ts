/**
 * ADX's streaming-ingestion capacity: a cluster accepts a bounded number of concurrent streaming ingestion requests
 * (a few per core) and answers the ones over it with 429, which azure-kusto-ingest's ManagedStreamingIngestClient
 * retries and then sends through queued ingestion. The engine models it as a limit on the streaming ingestion
 * requests it handles at once (KustoEmulatorOptions.maxConcurrentStreamingIngests, `--max-concurrent-streaming-ingests`),
 * so an application's throttling path can be rehearsed. A slot is held from the request's arrival to its answer,
 * body upload included, as a node's ingestion capacity is.
 */
import { KustoEngineError, KustoErrorCode } from '../errors/kusto-engine-error.js';

export class StreamingIngestThrottle {
  private running = 0;

  /** `limit` undefined: no limit. */
  constructor(private readonly limit: number | undefined) {}

  /** Takes a slot or throws the 429 error; every successful call must be paired with `release()`. */
  acquire(database: string, table: string): void {
    if (this.limit !== undefined && this.running >= this.limit) {
      throw new KustoEngineError(
        KustoErrorCode.Throttled,
        `Streaming ingestion into '${database}.${table}' was throttled: the engine already handles ${this.running} streaming ingestion requests, its limit (--max-concurrent-streaming-ingests ${this.limit}). Retry after a back-off, or use queued ingestion.`,
        { limit: this.limit },
      );
    }
    this.running++;
  }

  release(): void {
    this.running--;
  }
}
