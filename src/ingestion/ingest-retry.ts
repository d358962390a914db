/**
 * Engine calls that survive failure: retry and bisect.
 *
 * - call(): runs an engine call (ingest or id lookup) until it succeeds or fails permanently; a transient failure
 *   is retried forever with back-off and jitter. While any call is retrying, `paused` is true and admission holds
 *   reception — the backpressure that keeps an outage from piling messages into memory or the DLQ.
 * - ingestIsolating(): ingests a batch as one request; when the engine rejects it permanently, halves it until each
 *   rejected message is alone (log2(n) extra requests per bad message), so one poison message never blocks its batch.
 *   A queued ingestion the engine skipped (one of its messages' ingest-by tags is already on an extent) is halved
 *   the same way: each half is looked up again and only what is not in is ingested, so a regrouped redelivery
 *   neither doubles the messages committed before nor loses the ones that were not.
 *
 * Both stop at once when the drain signal aborts (stop() gave up waiting): the batch is abandoned for redelivery.
 */
import type { Logger } from '../common/logging/logger.js';
import { backoffDelayMs, type BackoffPolicy } from './backoff.js';
import type { Clock } from './clock.js';
import { wireFormat } from './ingest-format.js';
import { DrainAbortedError } from './drain-aborted-error.js';
import { classifyIngestFailure, type IngestFailure } from './ingest-failure.js';
import type { IngestionMetrics } from './ingestion-metrics.js';
import type { IngestReceipt, IngestSink, IngestTarget } from './kusto-ingest-sink.js';
import type { PipelineEntry } from './pipeline-entry.js';
import type { ReachabilityTracker } from './reachability-tracker.js';
import type { RouteTarget } from './table-router.js';

export class PermanentIngestFailure extends Error {
  constructor(readonly failure: IngestFailure) {
    super(failure.message);
  }
}

export interface Rejection {
  entry: PipelineEntry;
  description: string;
}

export interface IngestOutcome {
  ingested: PipelineEntry[];
  rejected: Rejection[];
}

/** Splits entries into those still to ingest and those whose rows the engine already holds. */
export type Recheck = (
  target: RouteTarget,
  entries: PipelineEntry[],
) => Promise<{ fresh: PipelineEntry[]; duplicates: PipelineEntry[] }>;

export interface IngestRetryDeps {
  database: string;
  sink: IngestSink;
  clock: Clock;
  logger: Logger;
  metrics: IngestionMetrics;
  random: () => number;
  backoff: BackoffPolicy;
  /** The engine's reachability, as the `kusto-ingest` readiness check reports it. */
  health: ReachabilityTracker;
  /** Aborted when stop() stops waiting for in-flight batches. */
  drain: AbortSignal;
  /** Called when the last retrying call ends: admission may let reception go on. */
  onResume: () => void;
}

export class IngestRetry {
  /** How many times reception was paused because the engine failed transiently. */
  pauses = 0;
  private retrying = 0;

  constructor(private readonly deps: IngestRetryDeps) {}

  /** True while any engine call is retrying after a transient failure. */
  get paused(): boolean {
    return this.retrying > 0;
  }

  async call<T>(table: string, operation: string, call: () => Promise<T>): Promise<T> {
    const { health, metrics, logger } = this.deps;
    let attempt = 0;
    let pausedHere = false;
    let answered = false;
    try {
      for (;;) {
        if (this.deps.drain.aborted) {
          throw new DrainAbortedError('stop() timed out while the engine was failing');
        }
        try {
          const result = await call();
          answered = true;
          health.markUp();
          return result;
        } catch (error) {
          if (error instanceof DrainAbortedError) {
            // The sink stopped waiting for a queued commit: not the engine's failure, and nothing to retry.
            throw error;
          }
          const failure = classifyIngestFailure(error);
          if (failure.kind === 'permanent') {
            answered = true;
            health.markUp();
            throw new PermanentIngestFailure(failure);
          }
          // The engine's own reason (its Kusto error body), not the HTTP client's "status code 500".
          health.markDown(
            failure.status !== undefined ? `HTTP ${failure.status}: ${failure.message}` : failure.message,
          );
          metrics.transientFailures.inc({ table, operation });
          if (!pausedHere) {
            pausedHere = true;
            if (this.retrying++ === 0) {
              this.pauses++;
              metrics.paused.set(1);
              logger.warn(
                { table, operation, error: failure.message },
                `engine failing transiently; reception paused`,
              );
            }
          }
          await this.sleep(backoffDelayMs(attempt++, this.deps.backoff, this.deps.random));
        }
      }
    } finally {
      if (pausedHere && --this.retrying === 0) {
        metrics.paused.set(0);
        if (answered) {
          logger.info({ table, attempts: attempt }, 'engine answering again; reception resumed');
        } else {
          // A stop gave up waiting: the engine never answered, and reception is over, not resumed.
          logger.warn(
            { table, attempts: attempt },
            'engine still failing when the shutdown stopped waiting; unsettled messages are abandoned for redelivery',
          );
        }
        this.deps.onResume();
      }
    }
  }

  /**
   * Ingests entries as one request, bisecting on a permanent rejection. Below the top level `recheck` runs first:
   * the engine might have kept part of a rejected request, and bisection must never duplicate rows.
   */
  async ingestIsolating(
    target: RouteTarget,
    entries: PipelineEntry[],
    recheck: Recheck,
    depth = 0,
  ): Promise<IngestOutcome> {
    if (entries.length === 0) {
      return { ingested: [], rejected: [] };
    }
    let toIngest = entries;
    let alreadyIn: PipelineEntry[] = [];
    if (depth > 0) {
      const split = await recheck(target, entries);
      toIngest = split.fresh;
      alreadyIn = split.duplicates;
      if (toIngest.length === 0) {
        return { ingested: alreadyIn, rejected: [] };
      }
    }
    const payload =
      toIngest.length === 1 ? toIngest[0].payload : Buffer.concat(toIngest.map((e) => e.payload));
    const ingestTarget: IngestTarget = {
      database: this.deps.database,
      table: target.table,
      format: wireFormat(target.format),
      // Each entry's own tag, hashed once when it was made (the batch measured the same one against its budget).
      ingestByTags: toIngest.map((e) => e.ingestByTag),
      redelivered: toIngest.some((e) => e.message.deliveryCount > 0),
    };
    if (target.mappingReference !== undefined) {
      ingestTarget.mappingReference = target.mappingReference;
    }
    let receipt: IngestReceipt;
    try {
      receipt = await this.call(target.table, 'ingest', () =>
        this.timedIngest(ingestTarget, payload, toIngest.length),
      );
    } catch (error) {
      if (!(error instanceof PermanentIngestFailure)) {
        throw error;
      }
      if (toIngest.length === 1) {
        const status = error.failure.status !== undefined ? ` (HTTP ${error.failure.status})` : '';
        return {
          ingested: alreadyIn,
          rejected: [
            {
              entry: toIngest[0],
              description: `engine rejected the rows for table ${target.table}${status}: ${error.message}`,
            },
          ],
        };
      }
      return this.halves(target, toIngest, alreadyIn, recheck, depth);
    }
    // Skipped with one message: its own tag is on an extent, so an earlier ingestion of it was committed.
    if (receipt === 'committed' || toIngest.length === 1) {
      return { ingested: [...toIngest, ...alreadyIn], rejected: [] };
    }
    // Skipped: some of these messages were committed by an earlier ingestion that grouped them differently, and
    // nothing of this one was stored. The halves look their ids up (now visible) and ingest the rest.
    this.deps.logger.info(
      { table: target.table, messages: toIngest.length },
      'queued ingestion skipped: some messages were already committed; ingesting the others again',
    );
    return this.halves(target, toIngest, alreadyIn, recheck, depth);
  }

  private async halves(
    target: RouteTarget,
    entries: PipelineEntry[],
    alreadyIn: PipelineEntry[],
    recheck: Recheck,
    depth: number,
  ): Promise<IngestOutcome> {
    const middle = Math.ceil(entries.length / 2);
    const left = await this.ingestIsolating(target, entries.slice(0, middle), recheck, depth + 1);
    const right = await this.ingestIsolating(target, entries.slice(middle), recheck, depth + 1);
    return {
      ingested: [...alreadyIn, ...left.ingested, ...right.ingested],
      rejected: [...left.rejected, ...right.rejected],
    };
  }

  private async timedIngest(target: IngestTarget, payload: Buffer, events: number): Promise<IngestReceipt> {
    const { clock, metrics } = this.deps;
    const started = clock.now();
    let outcome = 'error';
    try {
      const receipt = await this.deps.sink.ingest(target, payload, this.deps.drain);
      outcome = receipt === 'committed' ? 'ok' : 'skipped';
      metrics.batchEvents.observe({ table: target.table }, events);
      metrics.batchBytes.observe({ table: target.table }, payload.length);
      return receipt;
    } finally {
      metrics.ingestDuration.observe({ table: target.table, outcome }, (clock.now() - started) / 1000);
    }
  }

  private sleep(ms: number): Promise<void> {
    return unlessAborted(this.deps.drain, () => this.deps.clock.sleep(ms));
  }
}

/** Waits for `work` — or only until the signal aborts (not at all if it has); the listener goes with the wait. */
export async function unlessAborted(signal: AbortSignal, work: () => Promise<void>): Promise<void> {
  if (signal.aborted) {
    return;
  }
  let onAbort!: () => void;
  const aborted = new Promise<void>((resolve) => {
    onAbort = resolve;
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    await Promise.race([work(), aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
