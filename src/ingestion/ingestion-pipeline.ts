/**
 * Service Bus subscription → route → micro-batch → ingest → settle, exactly-once in effect.
 *
 *   receive (peek-lock, SDK auto lock renewal, raw bodies)
 *     → admit        AdmissionControl: backpressure (paused or maxInFlight unsettled), body size and JSON depth
 *     → route        TableRouter: Table/Format/IngestionMappingReference properties, else the route table
 *     → encode       one JSON object per line, with `messageId`/`_enqueuedTime` added (event-encoder), and the
 *                    message's ingest-by tag hashed once (ingest-by-tag)
 *     → hold         TwinHold: a MessageId already in flight waits for its twin to settle (so its ingest is seen)
 *     → accumulate   BatchScheduler: per table+format+mapping; out at once when none of it is in flight, else
 *                    when the in-flight ingest returns or the count / bytes / tag bytes / age limit is reached
 *     → dedup        DedupFilter: ids already in the table are completed without ingesting
 *     → ingest       IngestRetry: one request per batch; transient failure → back-off, reception paused, retried
 *                    forever; permanent failure → bisect until the offending message is alone
 *     → settle       Settlement: complete ingested + duplicates, dead-letter rejected messages with reason
 *     → notify       BatchCommittedNotifier: onBatchCommitted listeners (cache invalidation)
 *
 * MessageIntake (message-intake.ts) runs admit → route → encode for each message, BatchRunner (batch-runner.ts)
 * dedup → ingest → settle → notify for each batch. This file wires the steps together and holds the lifecycle
 * (start, drain, readiness); each step lives in its own module.
 * Messages are settled only after their rows are durably ingested, so a crash at any point leads to
 * redelivery, never loss; the dedup step turns that redelivery (and producer resends) into a no-op. An admitted
 * message holds its slot until it is settled or handed to a batch, whatever routing or encoding throws; and
 * progressStatus() reports a backlog that stops moving, whatever the cause.
 * See docs/ingestion.md for the reasoning and costs.
 */
import type { Logger } from '../common/logging/logger.js';
import { silentLogger } from '../common/logging/logger.js';
import { AdmissionControl } from './admission-control.js';
import { BatchCommittedNotifier, type BatchCommittedListener } from './batch-committed-notifier.js';
import { BatchRunner } from './batch-runner.js';
import { BatchScheduler } from './batch-scheduler.js';
import { systemClock, type Clock } from './clock.js';
import { atLeastOnceTables, checkDedupColumnsAtStartup } from './dedup-column-check.js';
import { DedupFilter } from './dedup-filter.js';
import { IngestRetry, unlessAborted } from './ingest-retry.js';
import { IngestionError, IngestionErrorCode } from './ingestion-error.js';
import { ingestionMetrics } from './ingestion-metrics.js';
import {
  DEFAULT_STALL_THRESHOLD_MS,
  type IngestionPipelineDeps,
  type IngestionPipelineOptions,
  type IngestionStats,
} from './ingestion-pipeline-options.js';
import { ingestByTagBytes } from './kusto-ingest-sink.js';
import { MessageIntake } from './message-intake.js';
import { DEFAULT_MESSAGE_LIMITS } from './message-limits.js';
import type { PipelineEntry } from './pipeline-entry.js';
import { ReachabilityTracker, type ReachabilityStatus } from './reachability-tracker.js';
import { Settlement } from './settlement.js';
import { SourceLinkHealth } from './source-link-health.js';
import { TwinHold } from './twin-hold.js';

export type { BatchCommittedEvent, BatchCommittedListener } from './batch-committed-notifier.js';
export type { DedupMode } from './dedup-filter.js';
export {
  DEFAULT_STALL_THRESHOLD_MS,
  type IngestionPipelineDeps,
  type IngestionPipelineOptions,
  type IngestionStats,
} from './ingestion-pipeline-options.js';

type State = 'idle' | 'running' | 'draining' | 'stopped';

export class IngestionPipeline {
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly random: () => number;
  /** Set when the sink may queue: a batch closes before its ingest-by tags overflow a queue message. */
  private readonly maxTagBytes?: number;
  private readonly admission: AdmissionControl;
  private readonly retry: IngestRetry;
  private readonly settlement: Settlement;
  private readonly intake: MessageIntake;
  private readonly twins = new TwinHold();
  private readonly batches: BatchScheduler<PipelineEntry>;
  private readonly runner: BatchRunner;
  private readonly notifier: BatchCommittedNotifier;
  private readonly sourceLink: SourceLinkHealth;
  private readonly sinkHealth: ReachabilityTracker;
  private state: State = 'idle';
  private stopping?: Promise<void>;
  /** Aborted when stop() gives up waiting: retries end and waiting batches are abandoned for redelivery. */
  private readonly drain = new AbortController();
  /** See start(): batches wait for this before their lookup and ingest. */
  private ingestAllowed?: Promise<void>;

  constructor(
    private readonly deps: IngestionPipelineDeps,
    private readonly options: IngestionPipelineOptions,
  ) {
    if (options.dedup !== 'off' && !deps.index) {
      throw new IngestionError(
        IngestionErrorCode.InvalidConfiguration,
        `INGEST_DEDUP=${options.dedup} needs a MessageIdIndex to look message ids up in the target tables`,
      );
    }
    this.clock = deps.clock ?? systemClock;
    this.logger = deps.logger ?? silentLogger;
    const { clock, logger } = this;
    const metrics = deps.metrics ?? ingestionMetrics();
    this.random = deps.random ?? Math.random;
    const { database } = options;
    this.maxTagBytes = deps.sink.ingestByTagBudgetBytes;
    this.sourceLink = new SourceLinkHealth(
      clock,
      logger,
      options.unreachableThresholdMs,
      () => this.state === 'running',
    );
    this.sinkHealth = new ReachabilityTracker(clock, options.unreachableThresholdMs);
    this.admission = new AdmissionControl(
      {
        maxInFlight: options.maxInFlight,
        limits: options.limits ?? DEFAULT_MESSAGE_LIMITS,
        stallThresholdMs: options.stallThresholdMs ?? DEFAULT_STALL_THRESHOLD_MS,
      },
      clock,
      metrics,
    );
    this.settlement = new Settlement(deps.source, metrics, logger);
    const drain = this.drain.signal;
    this.retry = new IngestRetry({
      database,
      sink: deps.sink,
      clock,
      logger,
      metrics,
      random: this.random,
      backoff: options.backoff,
      health: this.sinkHealth,
      drain,
      onResume: () => this.admission.wake(),
    });
    this.intake = new MessageIntake({
      admission: this.admission,
      router: deps.router,
      settlement: this.settlement,
      metrics,
      logger,
      maxEventBytes: options.batch.maxBytes,
      running: () => this.state === 'running',
      paused: () => this.retry.paused,
      handOver: (entry) => {
        if (this.twins.claim(entry)) {
          this.enqueue(entry);
        }
      },
    });
    this.notifier = new BatchCommittedNotifier(logger);
    this.runner = new BatchRunner({
      database,
      maxParallelIngests: options.maxParallelIngests,
      dedup: new DedupFilter({
        database,
        mode: options.dedup,
        column: options.dedupColumn,
        index: deps.index,
        atLeastOnce: atLeastOnceTables(deps.router.rules()),
        retry: this.retry,
        clock,
        logger,
      }),
      retry: this.retry,
      settlement: this.settlement,
      notifier: this.notifier,
      clock,
      logger,
      metrics,
      drain,
      ingestAllowed: () => this.ingestAllowed,
      ingestReturned: (key) => this.batches.ingestReturned(key),
      released: (entries) => this.release(entries),
    });
    // The batch closes before its ingest-by tags would overflow a queued ingestion's queue message.
    this.batches = new BatchScheduler<PipelineEntry>(
      { ...options.batch, maxTagBytes: this.maxTagBytes },
      clock,
      (batch) => this.runner.dispatch(batch),
    );
  }

  /**
   * Subscribes, then checks the routes' tables for the dedup column and rejects (after closing everything) when one
   * lacks it. `ingestAfter`: messages are received and batched at once, but no batch is looked up or ingested, and
   * no table checked, before it resolves — `npm start` subscribes while the engine still creates the update
   * policies, so the first batch is ready the moment the tables can take it.
   */
  async start(options: { ingestAfter?: Promise<void> } = {}): Promise<void> {
    if (this.state !== 'idle') {
      throw new IngestionError(
        IngestionErrorCode.InvalidState,
        `IngestionPipeline.start() called while ${this.state}`,
      );
    }
    this.state = 'running';
    // A failed gate (the caller could not prepare storage) must not hold batches: they fail and retry as usual.
    const gate = options.ingestAfter ?? Promise.resolve();
    const ready = unlessAborted(this.drain.signal, () => gate.catch(() => undefined)).then(() =>
      this.drain.signal.aborted ? undefined : this.checkRoutes(),
    );
    // A refused configuration ingests nothing: batches received meanwhile are abandoned for redelivery.
    this.ingestAllowed = ready.then(
      () => undefined,
      () => this.drain.abort(),
    );
    this.sourceLink.subscribing();
    this.deps.source.subscribe(
      (message) => this.intake.receive(message),
      (error, where) => this.sourceLink.onError(error, where),
      (attached) => this.sourceLink.onLink(attached),
    );
    try {
      await ready;
    } catch (error) {
      await this.stop();
      throw error;
    }
    if (this.state === 'running') {
      this.logger.info({ options: this.options }, 'ingestion pipeline started');
    }
  }

  private checkRoutes(): Promise<void> {
    const { database, dedup, dedupColumn, unreachableThresholdMs, backoff } = this.options;
    return checkDedupColumnsAtStartup(
      { database, mode: dedup, column: dedupColumn, rules: this.deps.router.rules() },
      this.deps.index,
      this.logger,
      {
        clock: this.clock,
        backoff,
        random: this.random,
        giveUpAfterMs: unreachableThresholdMs,
        drain: this.drain.signal,
      },
    );
  }

  /**
   * Graceful drain: stop receiving, flush every open batch and wait for in-flight batches to settle; after
   * drainTimeoutMs (the engine is down, or a queued ingestion is not committed yet) abandon what is left so another
   * replica gets it at once.
   */
  stop(): Promise<void> {
    // Every caller (the application and the process shutdown both may) waits for the same drain.
    this.stopping ??= this.drainAndClose();
    return this.stopping;
  }

  private async drainAndClose(): Promise<void> {
    if (this.state === 'idle') {
      // Never started, but the clients exist (and hold sockets once used): close them all the same.
      this.state = 'stopped';
      await this.closeClients();
      return;
    }
    if (this.state !== 'running') {
      return;
    }
    this.state = 'draining';
    this.admission.wake();
    const abortTimer = setTimeout(() => this.drain.abort(), this.options.drainTimeoutMs);
    try {
      await this.deps.source.stopReceiving();
      while (this.runner.running > 0 || this.batches.pendingItems > 0) {
        for (const batch of this.batches.takeAll()) {
          this.runner.dispatch(batch);
        }
        await this.runner.settled();
      }
    } finally {
      clearTimeout(abortTimer);
      this.state = 'stopped';
      await this.closeClients();
      this.logger.info({ stats: this.stats() }, 'ingestion pipeline stopped');
    }
  }

  private async closeClients(): Promise<void> {
    await Promise.allSettled([this.deps.source.close(), this.deps.sink.close(), this.deps.index?.close()]);
  }

  /** Called after every batch whose rows are durably in `table`; returns an unsubscribe function. */
  onBatchCommitted(listener: BatchCommittedListener): () => void {
    return this.notifier.add(listener);
  }

  stats(): IngestionStats {
    return {
      received: this.intake.received,
      ...this.runner.counts,
      deadLettered: this.settlement.deadLettered,
      inFlight: this.admission.inFlight,
      paused: this.retry.paused,
      pauses: this.retry.pauses,
    };
  }

  /** Readiness of the source, from the receive link's real state (source-link-health). */
  sourceStatus(): Promise<ReachabilityStatus> {
    return Promise.resolve(this.sourceLink.status());
  }

  sinkStatus(): Promise<ReachabilityStatus> {
    return Promise.resolve(this.sinkHealth.status());
  }

  /**
   * Down when messages are held (received, not settled) and none has been settled for stallThresholdMs — the
   * pipeline is stuck, whatever the cause (an engine outage shows here too, beside `kusto-ingest`). An idle
   * pipeline holds nothing and is never stalled.
   */
  progressStatus(): Promise<ReachabilityStatus> {
    return Promise.resolve(this.admission.progressStatus(this.retry.paused));
  }

  /** Into its batch, with the bytes its ingest-by tag adds to a queued ingestion when the sink may queue. */
  private enqueue(entry: PipelineEntry): void {
    const tagBytes = this.maxTagBytes === undefined ? 0 : ingestByTagBytes(entry.ingestByTag);
    this.batches.add(entry.batchKey, entry, entry.payload.length, tagBytes);
  }

  /** A batch's messages are settled: their slots are free, and each id's next twin (if any) goes to its batch. */
  private release(entries: readonly PipelineEntry[]): void {
    this.admission.release(entries.length);
    for (const entry of entries) {
      const next = this.twins.release(entry.idKey);
      if (next) {
        this.enqueue(next);
      }
    }
  }
}
