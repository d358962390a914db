/**
 * One sealed batch's way through the engine: dedup → ingest → settle → notify, in a trace span of its own.
 *
 * - wait: until start() allows ingesting (its ingestAfter gate and route check), then for an ingest slot;
 * - dedup: DedupFilter completes ids already in the table without ingesting them;
 * - ingest: IngestRetry sends one request, retries transient failures and bisects permanent rejections;
 * - settle: Settlement completes ingested and duplicate messages and dead-letters rejected ones;
 * - notify: BatchCommittedNotifier tells listeners the rows are in, before the messages settle.
 *
 * A batch that fails unexpectedly, or that a stop gave up on (drain timeout), is abandoned for redelivery. Whatever
 * happens, the batch's key is told its ingest returned (the scheduler sends what filled meanwhile) and its messages
 * are released (admission slots, twin hold) once they are settled.
 */
import type { Logger } from '../common/logging/logger.js';
import { failSpan, inSpan, ROOT_CONTEXT, tracing, type Span } from '../common/telemetry/kqlgate-tracer.js';
import type { Batch } from './batch-accumulator.js';
import type { BatchCommittedNotifier } from './batch-committed-notifier.js';
import type { Clock } from './clock.js';
import type { DedupFilter } from './dedup-filter.js';
import { DrainAbortedError } from './drain-aborted-error.js';
import { unlessAborted, type IngestOutcome, type IngestRetry } from './ingest-retry.js';
import { IngestSlots } from './ingest-slots.js';
import type { IngestionMetrics } from './ingestion-metrics.js';
import { batchLinks } from './ingestion-tracer.js';
import type { PipelineEntry } from './pipeline-entry.js';
import type { Settlement } from './settlement.js';
import type { RouteTarget } from './table-router.js';

export interface BatchRunnerDeps {
  database: string;
  /** Batches ingested concurrently. */
  maxParallelIngests: number;
  dedup: DedupFilter;
  retry: IngestRetry;
  settlement: Settlement;
  notifier: BatchCommittedNotifier;
  clock: Clock;
  logger: Logger;
  metrics: IngestionMetrics;
  /** Aborted when stop() gives up waiting: waiting batches are abandoned for redelivery. */
  drain: AbortSignal;
  /** What batches wait for before their lookup and ingest (set by start()). */
  ingestAllowed: () => Promise<void> | undefined;
  /** The batch of `key` came back from the engine: the scheduler sends what filled meanwhile. */
  ingestReturned: (key: string) => void;
  /** The batch's messages are settled or abandoned: their admission slots and ids are free. */
  released: (entries: readonly PipelineEntry[]) => void;
}

export class BatchRunner {
  readonly counts = { ingested: 0, duplicates: 0, abandoned: 0, batches: 0 };
  private readonly active = new Set<Promise<void>>();
  private readonly slots: IngestSlots;

  constructor(private readonly deps: BatchRunnerDeps) {
    this.slots = new IngestSlots(deps.maxParallelIngests);
  }

  /** Batches dispatched and not yet settled. */
  get running(): number {
    return this.active.size;
  }

  /** Waits for every batch dispatched so far to settle (or be abandoned). */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.active]);
  }

  dispatch(batch: Batch<PipelineEntry>): void {
    const started = tracing.enabled
      ? inSpan(
          'kqlgate.ingestion.batch',
          {
            // A trace of its own (not the one of the message whose arrival sealed it), linked to all of them.
            parent: ROOT_CONTEXT,
            links: batchLinks(batch.items.map((entry) => entry.message)),
            attributes: {
              'kqlgate.table': batch.items[0].target.table,
              'kqlgate.messages': batch.items.length,
            },
          },
          (span) => this.run(batch, span),
        )
      : this.run(batch);
    const run = started.finally(() => this.active.delete(run));
    this.active.add(run);
  }

  private async run(batch: Batch<PipelineEntry>, span?: Span): Promise<void> {
    const { drain, settlement, clock } = this.deps;
    const allowed = this.deps.ingestAllowed();
    if (allowed) {
      await unlessAborted(drain, () => allowed);
    }
    let ingestReturned = false;
    const returned = () => {
      if (!ingestReturned) {
        ingestReturned = true;
        this.deps.ingestReturned(batch.key);
      }
    };
    await this.slots.acquire();
    const entries = batch.items;
    const target = entries[0].target;
    try {
      if (drain.aborted) {
        // A stop gave up waiting (drain timeout) while the batch waited for start()'s gate: redeliver it.
        throw new DrainAbortedError();
      }
      const { fresh, duplicates } = await this.deps.dedup.split(target, entries);
      const outcome = await this.ingest(target, fresh, span);
      span?.setAttribute('kqlgate.duplicates', duplicates.length);
      // The next batch of this table goes now, while these messages settle.
      returned();
      if (outcome.ingested.length > 0) {
        const rows = outcome.ingested.reduce((sum, e) => sum + e.rows, 0);
        this.deps.notifier.emit({ database: this.deps.database, table: target.table, rows });
      }
      const now = clock.now();
      const settle = () => settlement.settleBatch(target.table, outcome, duplicates);
      await (span
        ? inSpan(
            'kqlgate.ingestion.settle',
            {
              attributes: {
                'kqlgate.completed': outcome.ingested.length + duplicates.length,
                'kqlgate.dead_lettered': outcome.rejected.length,
              },
            },
            settle,
          )
        : settle());
      this.record(target.table, outcome.ingested, duplicates, now);
    } catch (error) {
      failSpan(span, error);
      if (!(error instanceof DrainAbortedError)) {
        this.deps.logger.error(
          { err: error, table: target.table },
          `batch for ${target.table} failed unexpectedly; abandoning it`,
        );
      }
      await Promise.all(entries.map((e) => settlement.abandon(e.message)));
      this.counts.abandoned += entries.length;
    } finally {
      returned();
      this.slots.release();
      this.deps.released(entries);
    }
  }

  /** One request for the fresh entries, retried and bisected by IngestRetry; bisection looks every id up again. */
  private async ingest(target: RouteTarget, fresh: PipelineEntry[], span?: Span): Promise<IngestOutcome> {
    const { retry, dedup } = this.deps;
    const ingest = () => retry.ingestIsolating(target, fresh, (t, e) => dedup.split(t, e, true));
    if (!span) {
      return ingest();
    }
    return inSpan(
      'kqlgate.ingestion.ingest',
      { attributes: { 'kqlgate.table': target.table, 'kqlgate.messages': fresh.length } },
      async (ingestSpan) => {
        const done = await ingest();
        ingestSpan?.setAttributes({
          'kqlgate.rows': done.ingested.reduce((sum, e) => sum + e.rows, 0),
          'kqlgate.ingested': done.ingested.length,
          'kqlgate.rejected': done.rejected.length,
        });
        return done;
      },
    );
  }

  /** Counts a settled batch; freshness is measured from enqueue to the ingest's return (`now`). */
  private record(table: string, ingested: PipelineEntry[], duplicates: PipelineEntry[], now: number): void {
    const { metrics } = this.deps;
    this.counts.batches++;
    this.counts.ingested += ingested.length;
    this.counts.duplicates += duplicates.length;
    metrics.ingested.inc({ table }, ingested.length);
    if (duplicates.length > 0) {
      metrics.duplicates.inc({ table }, duplicates.length);
    }
    for (const e of ingested) {
      if (e.message.enqueuedTimeUtc) {
        metrics.freshness.observe({ table }, Math.max(0, now - e.message.enqueuedTimeUtc.getTime()) / 1000);
      }
    }
  }
}
