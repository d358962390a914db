/**
 * Service Bus subscription → route → micro-batch → ingest → settle, exactly-once in effect.
 *
 *   receive (peek-lock, SDK auto lock renewal, raw bodies)
 *     → admit        AdmissionControl: backpressure (paused or maxInFlight unsettled), body size and JSON depth
 *     → route        TableRouter: Table/Format/IngestionMappingReference properties, else the route table
 *     → encode       one JSON object per line, with `messageId`/`_enqueuedTime` added (event-encoder)
 *     → hold         a MessageId already in flight waits for its twin to settle (so the twin's ingest is seen)
 *     → accumulate   BatchScheduler: per table+format+mapping; out at once when none of it is in flight, else
 *                    when the in-flight ingest returns or the count / bytes / age limit is reached
 *     → dedup        DedupFilter: ids already in the table are completed without ingesting
 *     → ingest       IngestRetry: one request per batch; transient failure → back-off, reception paused, retried
 *                    forever; permanent failure → bisect until the offending message is alone
 *     → settle       Settlement: complete ingested + duplicates, dead-letter rejected messages with reason
 *     → notify       onBatchCommitted listeners (cache invalidation)
 *
 * This file holds the flow and the lifecycle (start, drain, readiness); each step above lives in its own module.
 * Messages are settled only after their rows are durably ingested, so a crash at any point leads to
 * redelivery, never loss; the dedup step turns that redelivery (and producer resends) into a no-op. An admitted
 * message holds its slot until it is settled or handed to a batch, whatever routing or encoding throws; and
 * progressStatus() reports a backlog that stops moving, whatever the cause.
 * See docs/ingestion.md for the reasoning and costs.
 */
import type { Logger } from '../common/logging/logger.js';
import { silentLogger } from '../common/logging/logger.js';
import { failSpan, inSpan, ROOT_CONTEXT, tracing, type Span } from '../common/telemetry/kqlgate-tracer.js';
import { AdmissionControl } from './admission-control.js';
import type { Batch, BatchLimits } from './batch-accumulator.js';
import { BatchScheduler } from './batch-scheduler.js';
import { backoffDelayMs, type BackoffPolicy } from './backoff.js';
import { systemClock, type Clock } from './clock.js';
import { DeadLetterReason } from './dead-letter-reason.js';
import { atLeastOnceTables, checkDedupColumns } from './dedup-column-check.js';
import { DedupFilter, type DedupMode } from './dedup-filter.js';
import { encodeEvent } from './event-encoder.js';
import { classifyIngestFailure } from './ingest-failure.js';
import { ingestByTag } from './ingest-by-tag.js';
import { DrainAbortedError, IngestRetry, unlessAborted } from './ingest-retry.js';
import { IngestionError, IngestionErrorCode } from './ingestion-error.js';
import { ingestionMetrics, type IngestionMetrics } from './ingestion-metrics.js';
import { batchLinks, messageReceived, messageRouted } from './ingestion-tracer.js';
import { ingestByTagBytes, type IngestSink } from './kusto-ingest-sink.js';
import { DEFAULT_MESSAGE_LIMITS, type LimitRejection, type MessageLimits } from './message-limits.js';
import type { MessageIdIndex } from './message-id-index.js';
import type { PipelineEntry } from './pipeline-entry.js';
import { ReachabilityTracker, type ReachabilityStatus } from './reachability-tracker.js';
import { SourceOutageLog } from './source-outage-log.js';
import { Settlement } from './settlement.js';
import type { MessageSource, SourceMessage } from './subscription-receiver.js';
import type { TableRouter } from './table-router.js';

export type { DedupMode } from './dedup-filter.js';

export interface BatchCommittedEvent {
  database: string;
  table: string;
  rows: number;
}

export type BatchCommittedListener = (event: BatchCommittedEvent) => void;

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

/** Whether an admitted message still holds its admission slot (until it is settled or handed to a batch). */
interface Admission {
  holdsSlot: boolean;
  table?: string;
}

type State = 'idle' | 'running' | 'draining' | 'stopped';

const UNROUTED_TABLE = '(unrouted)';
/** Metric label of messages refused before routing (body size, JSON depth). */
const ADMISSION_TABLE = '(admission)';

export class IngestionPipeline {
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly metrics: IngestionMetrics;
  private readonly random: () => number;
  private readonly batches: BatchScheduler<PipelineEntry>;
  private readonly batchLimits: BatchLimits;
  private readonly admission: AdmissionControl;
  private readonly retry: IngestRetry;
  private readonly dedup: DedupFilter;
  private readonly settlement: Settlement;
  private readonly listeners = new Set<BatchCommittedListener>();
  private stopping?: Promise<void>;
  /** idKey → messages with the same id received while the first one is still in flight. */
  private readonly inFlightIds = new Map<string, PipelineEntry[]>();
  private readonly active = new Set<Promise<void>>();
  private readonly sourceHealth: ReachabilityTracker;
  private readonly sourceOutage: SourceOutageLog;
  /** The receive link's state as the source reports it (see MessageSource.subscribe). */
  private linkAttached = false;
  private linkAttachments = 0;
  private readonly sinkHealth: ReachabilityTracker;
  private state: State = 'idle';
  private slotWaiters: Array<() => void> = [];
  private runningIngests = 0;
  /** Aborted when stop() gives up waiting: retries end and waiting batches are abandoned for redelivery. */
  private readonly drain = new AbortController();
  /** See start(): batches wait for this before their lookup and ingest. */
  private ingestAllowed?: Promise<void>;
  private readonly counters = { received: 0, ingested: 0, duplicates: 0, abandoned: 0, batches: 0 };

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
    this.metrics = deps.metrics ?? ingestionMetrics();
    this.random = deps.random ?? Math.random;
    // A sink that may queue an ingestion bounds its tags (one per message): the batch closes before they overflow.
    this.batchLimits = { ...options.batch, maxTagBytes: deps.sink.ingestByTagBudgetBytes };
    this.batches = new BatchScheduler<PipelineEntry>(this.batchLimits, this.clock, (batch) =>
      this.dispatch(batch),
    );
    this.sourceHealth = new ReachabilityTracker(this.clock, options.unreachableThresholdMs);
    this.sourceOutage = new SourceOutageLog(this.logger, this.clock);
    this.sinkHealth = new ReachabilityTracker(this.clock, options.unreachableThresholdMs);
    this.admission = new AdmissionControl(
      {
        maxInFlight: options.maxInFlight,
        limits: options.limits ?? DEFAULT_MESSAGE_LIMITS,
        stallThresholdMs: options.stallThresholdMs ?? DEFAULT_STALL_THRESHOLD_MS,
      },
      this.clock,
      this.metrics,
    );
    this.retry = new IngestRetry({
      database: options.database,
      sink: deps.sink,
      clock: this.clock,
      logger: this.logger,
      metrics: this.metrics,
      random: this.random,
      backoff: options.backoff,
      health: this.sinkHealth,
      drain: this.drain.signal,
      onResume: () => this.admission.wake(),
    });
    this.dedup = new DedupFilter({
      database: options.database,
      mode: options.dedup,
      column: options.dedupColumn,
      index: deps.index,
      atLeastOnce: atLeastOnceTables(deps.router.rules()),
      retry: this.retry,
      clock: this.clock,
      logger: this.logger,
    });
    this.settlement = new Settlement(deps.source, this.metrics, this.logger);
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
    // Not attached until the source says so: an unreachable broker at start-up fails readiness after the threshold.
    this.sourceHealth.markDown('receive link not attached yet');
    this.deps.source.subscribe(
      (message) => this.handle(message),
      (error, where) => this.onSourceError(error, where),
      (attached) => this.onLink(attached),
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

  /**
   * The routes' tables hold the dedup column (dedup-column-check). An engine that does not answer within
   * unreachableThresholdMs does not hold start-up: the check is skipped with a warning, and the id lookup reports a
   * missing column at run time as before.
   */
  private async checkRoutes(): Promise<void> {
    const input = {
      database: this.options.database,
      mode: this.options.dedup,
      column: this.options.dedupColumn,
      rules: this.deps.router.rules(),
    };
    const deadline = this.clock.now() + this.options.unreachableThresholdMs;
    for (let attempt = 0; ; attempt++) {
      try {
        await checkDedupColumns(input, this.deps.index, this.logger);
        return;
      } catch (error) {
        if (error instanceof IngestionError) {
          throw error;
        }
        const failure = classifyIngestFailure(error);
        if (failure.kind === 'permanent' || this.clock.now() >= deadline || this.drain.signal.aborted) {
          this.logger.warn(
            { err: error, column: input.column },
            `could not check that the routed tables hold the ${input.column} column (${failure.message}); ` +
              'going on: a table without it is reported by the id lookup at run time',
          );
          return;
        }
        const delay = backoffDelayMs(attempt, this.options.backoff, this.random);
        await unlessAborted(this.drain.signal, () => this.clock.sleep(delay));
      }
    }
  }

  /**
   * Graceful drain: stop receiving, flush every open batch and wait for in-flight batches to settle; after
   * drainTimeoutMs (e.g. the engine is down) abandon what is left so another replica gets it at once.
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
      while (this.active.size > 0 || this.batches.pendingItems > 0) {
        for (const batch of this.batches.takeAll()) {
          this.dispatch(batch);
        }
        await Promise.allSettled([...this.active]);
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
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  stats(): IngestionStats {
    return {
      ...this.counters,
      deadLettered: this.settlement.deadLettered,
      inFlight: this.admission.inFlight,
      paused: this.retry.paused,
      pauses: this.retry.pauses,
    };
  }

  /**
   * Readiness of the source, from the receive link's real state: `link` says whether it is attached now; the check
   * fails once it has been detached for longer than unreachableThresholdMs (a broker blip of a few seconds does not
   * pull every replica out of service).
   */
  sourceStatus(): Promise<ReachabilityStatus> {
    const status = this.sourceHealth.status();
    return Promise.resolve({
      up: status.up,
      details: { link: this.linkAttached ? 'attached' : 'detached', ...status.details },
    });
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

  // ── reception ─────────────────────────────────────────────────────────────────────────────────────────────

  private async handle(message: SourceMessage): Promise<void> {
    messageReceived(message);
    const admitted = await this.admission.admit(
      () => this.state === 'running',
      () => this.retry.paused,
    );
    if (!admitted) {
      // Draining: hand the message straight back so another replica can take it.
      await this.settlement.abandon(message);
      return;
    }
    const admission: Admission = { holdsSlot: true };
    try {
      await this.process(message, admission);
    } catch (error) {
      // Routing and encoding are pure: what throws there throws again on every delivery. Dead-letter with the
      // cause instead of letting the SDK abandon it until MaxDeliveryCountExceeded says nothing.
      this.logger.error(
        { err: error, messageId: message.messageId },
        `processing message ${message.messageId} failed unexpectedly`,
      );
      if (admission.holdsSlot) {
        if (admission.table === undefined) {
          this.countReceived(UNROUTED_TABLE);
        }
        await this.settlement.deadLetter(
          message,
          admission.table ?? UNROUTED_TABLE,
          DeadLetterReason.ProcessingFailed,
          `kqlgate could not process the message: ${describeError(error)}`,
        );
      }
    } finally {
      if (admission.holdsSlot) {
        this.admission.release(1);
      }
    }
  }

  /** Admission checks, route, encode, hand over to a batch; a message refused on the way is dead-lettered. */
  private async process(message: SourceMessage, admission: Admission): Promise<void> {
    const checked = this.admission.check(message.body);
    if ('reason' in checked) {
      await this.refuse(message, ADMISSION_TABLE, checked, admission);
      return;
    }
    const { body, parsed } = checked;
    const decision = this.deps.router.route(
      message.applicationProperties,
      parsed.ok ? parsed.value : undefined,
    );
    if (decision.kind === 'rejected') {
      await this.refuse(message, UNROUTED_TABLE, decision, admission);
      return;
    }
    const target = decision.target;
    messageRouted(message, target.table);
    this.countReceived(target.table);
    admission.table = target.table;
    const encoded = encodeEvent({
      body,
      parsed,
      messageId: message.messageId,
      enqueuedTimeUtc: message.enqueuedTimeUtc,
      format: target.format,
      maxBytes: this.options.batch.maxBytes,
    });
    if (encoded.kind === 'rejected') {
      await this.settlement.deadLetter(message, target.table, encoded.reason, encoded.description);
      return;
    }
    const entry: PipelineEntry = {
      message,
      target,
      payload: encoded.payload,
      rows: encoded.rows,
      batchKey: `${target.table}\u0001${target.format}\u0001${target.mappingReference ?? ''}`,
      idKey: `${target.table}\u0001${message.messageId}`,
      ingestByTag: ingestByTag(target.table, message.messageId),
    };
    // From here the entry's batch (or its twin's release) settles it and frees the slot.
    admission.holdsSlot = false;
    const twins = this.inFlightIds.get(entry.idKey);
    if (twins) {
      // Same MessageId already in flight (producer resend or redelivery after a lost lock): ingesting both in
      // parallel batches would defeat the lookup, so this one waits and is looked up after its twin settles.
      twins.push(entry);
      return;
    }
    this.inFlightIds.set(entry.idKey, []);
    this.enqueue(entry);
  }

  private async refuse(
    message: SourceMessage,
    table: string,
    rejection: LimitRejection,
    admission: Admission,
  ): Promise<void> {
    this.countReceived(table);
    messageRouted(message, table);
    admission.table = table;
    await this.settlement.deadLetter(message, table, rejection.reason, rejection.description);
  }

  private countReceived(table: string): void {
    this.counters.received++;
    this.metrics.received.inc({ table });
  }

  private onSourceError(error: Error, where: string): void {
    this.sourceOutage.failed(error, where);
    if (where === 'receive' && !this.linkAttached) {
      // Why the link does not come back; a receive error on an attached link changes nothing by itself.
      this.sourceHealth.markDown(error);
    }
  }

  private onLink(attached: boolean): void {
    if (attached === this.linkAttached) {
      return;
    }
    this.linkAttached = attached;
    if (attached) {
      const logged = this.sourceOutage.recovered();
      if (this.linkAttachments++ > 0 && !logged) {
        this.logger.info('Service Bus receive link attached again; reception resumed');
      }
      this.sourceHealth.markUp();
    } else if (this.state === 'running') {
      this.logger.warn('Service Bus receive link lost; re-attaching with back-off');
      this.sourceHealth.markDown('receive link detached; re-attaching');
    }
  }

  // ── batching ──────────────────────────────────────────────────────────────────────────────────────────────

  private enqueue(entry: PipelineEntry): void {
    const tagBytes = this.batchLimits.maxTagBytes === undefined ? 0 : ingestByTagBytes(entry.ingestByTag);
    this.batches.add(entry.batchKey, entry, entry.payload.length, tagBytes);
  }

  private dispatch(batch: Batch<PipelineEntry>): void {
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
          (span) => this.runBatch(batch, span),
        )
      : this.runBatch(batch);
    const run = started.finally(() => this.active.delete(run));
    this.active.add(run);
  }

  // ── ingest + settle ───────────────────────────────────────────────────────────────────────────────────────

  private async runBatch(batch: Batch<PipelineEntry>, span?: Span): Promise<void> {
    if (this.ingestAllowed) {
      await unlessAborted(this.drain.signal, () => this.ingestAllowed!);
    }
    let ingestReturned = false;
    const returned = () => {
      if (!ingestReturned) {
        ingestReturned = true;
        this.batches.ingestReturned(batch.key);
      }
    };
    await this.acquireSlot();
    const entries = batch.items;
    const target = entries[0].target;
    try {
      if (this.drain.signal.aborted) {
        // A stop gave up waiting (drain timeout) while the batch waited for start()'s gate: redeliver it.
        throw new DrainAbortedError();
      }
      const { fresh, duplicates } = await this.dedup.split(target, entries);
      const ingest = () => this.retry.ingestIsolating(target, fresh, (t, e) => this.dedup.split(t, e, true));
      const { ingested, rejected } = span
        ? await inSpan(
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
          )
        : await ingest();
      span?.setAttribute('kqlgate.duplicates', duplicates.length);
      // The next batch of this table goes now, while these messages settle.
      returned();
      if (ingested.length > 0) {
        const rows = ingested.reduce((sum, e) => sum + e.rows, 0);
        this.emitCommitted({ database: this.options.database, table: target.table, rows });
      }
      const now = this.clock.now();
      const settle = async () => {
        await Promise.all([
          ...ingested.map((e) => this.settlement.complete(e.message)),
          ...duplicates.map((e) => this.settlement.complete(e.message)),
          ...rejected.map((r) =>
            this.settlement.deadLetter(
              r.entry.message,
              target.table,
              DeadLetterReason.MappingFailure,
              r.description,
            ),
          ),
        ]);
      };
      await (span
        ? inSpan(
            'kqlgate.ingestion.settle',
            {
              attributes: {
                'kqlgate.completed': ingested.length + duplicates.length,
                'kqlgate.dead_lettered': rejected.length,
              },
            },
            settle,
          )
        : settle());
      this.counters.batches++;
      this.counters.ingested += ingested.length;
      this.counters.duplicates += duplicates.length;
      this.metrics.ingested.inc({ table: target.table }, ingested.length);
      if (duplicates.length > 0) {
        this.metrics.duplicates.inc({ table: target.table }, duplicates.length);
      }
      for (const e of ingested) {
        if (e.message.enqueuedTimeUtc) {
          this.metrics.freshness.observe(
            { table: target.table },
            Math.max(0, now - e.message.enqueuedTimeUtc.getTime()) / 1000,
          );
        }
      }
    } catch (error) {
      failSpan(span, error);
      if (!(error instanceof DrainAbortedError)) {
        this.logger.error(
          { err: error, table: target.table },
          `batch for ${target.table} failed unexpectedly; abandoning it`,
        );
      }
      await Promise.all(entries.map((e) => this.settlement.abandon(e.message)));
      this.counters.abandoned += entries.length;
    } finally {
      returned();
      this.releaseSlot();
      this.admission.release(entries.length);
      for (const entry of entries) {
        this.releaseId(entry.idKey);
      }
    }
  }

  private async acquireSlot(): Promise<void> {
    while (this.runningIngests >= this.options.maxParallelIngests) {
      await new Promise<void>((resolve) => this.slotWaiters.push(resolve));
    }
    this.runningIngests++;
  }

  private releaseSlot(): void {
    this.runningIngests--;
    this.slotWaiters.shift()?.();
  }

  /** The id's in-flight owner settled: the next twin (if any) becomes the owner and goes to its lookup. */
  private releaseId(idKey: string): void {
    const twins = this.inFlightIds.get(idKey);
    if (!twins || twins.length === 0) {
      this.inFlightIds.delete(idKey);
      return;
    }
    const next = twins.shift()!;
    this.enqueue(next);
  }

  private emitCommitted(event: BatchCommittedEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.logger.error({ err: error, event }, 'onBatchCommitted listener threw');
      }
    }
  }
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
