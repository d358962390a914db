/**
 * Service Bus subscription → route → micro-batch → ingest → settle, exactly-once in effect.
 *
 *   receive (peek-lock, SDK auto lock renewal, raw bodies)
 *     → admit        waits while paused (engine failing) or maxInFlight messages are unsettled: backpressure;
 *                    then body size and JSON nesting depth against their limits (message-limits)
 *     → route        TableRouter: Table/Format/IngestionMappingReference properties, else the route table
 *     → encode       one JSON object per line, with `messageId`/`_enqueuedTime` added (event-encoder)
 *     → hold         a MessageId already in flight waits for its twin to settle (so the twin's ingest is seen)
 *     → accumulate   per table+format+mapping by count / bytes / age (BatchAccumulator)
 *     → dedup        ids already in the table are completed without ingesting (MessageIdIndex)
 *     → ingest       one request per batch; transient failure → back-off with jitter, reception paused,
 *                    retried forever; permanent failure → bisect until the offending message is alone
 *     → settle       complete ingested + duplicates, dead-letter rejected messages with reason/description
 *     → notify       onBatchCommitted listeners (cache invalidation)
 *
 * Messages are settled only after their rows are durably ingested, so a crash at any point leads to
 * redelivery, never loss; the dedup step turns that redelivery (and producer resends) into a no-op. An admitted
 * message holds its slot until it is settled or handed to a batch, whatever routing or encoding throws; and
 * progressStatus() reports a backlog that stops moving, whatever the cause.
 * See docs/ingestion.md for the reasoning and costs.
 */
import type { Logger } from '../common/logging/logger.js';
import { silentLogger } from '../common/logging/logger.js';
import { BatchAccumulator, type Batch, type BatchLimits } from './batch-accumulator.js';
import { backoffDelayMs, type BackoffPolicy } from './backoff.js';
import { systemClock, type Clock } from './clock.js';
import { DeadLetterReason } from './dead-letter-reason.js';
import { decodeBody, encodeEvent, parseBody } from './event-encoder.js';
import { wireFormat } from './ingest-format.js';
import { classifyIngestFailure, type IngestFailure } from './ingest-failure.js';
import { IngestionError, IngestionErrorCode } from './ingestion-error.js';
import { ingestionMetrics, type IngestionMetrics } from './ingestion-metrics.js';
import type { IngestSink, IngestTarget } from './kusto-ingest-sink.js';
import {
  checkBodySize,
  checkJsonDepth,
  DEFAULT_MESSAGE_LIMITS,
  type LimitRejection,
  type MessageLimits,
} from './message-limits.js';
import type { MessageIdIndex } from './message-id-index.js';
import { ReachabilityTracker, type ReachabilityStatus } from './reachability-tracker.js';
import type { MessageSource, SourceMessage } from './subscription-receiver.js';
import type { RouteTarget, TableRouter } from './table-router.js';

export interface BatchCommittedEvent {
  database: string;
  table: string;
  rows: number;
}

export type BatchCommittedListener = (event: BatchCommittedEvent) => void;

/**
 * `table`: look every message id up in the target table before ingesting (exactly-once in effect, also for
 * producer resends outside the broker's duplicate-detection window); `redelivered`: look up only messages the
 * broker delivered before (deliveryCount > 0: crash/lock-loss redelivery) and leave producer resends to the
 * topic's duplicate detection — no lookup on the hot path; `off`: at-least-once.
 */
export type DedupMode = 'table' | 'redelivered' | 'off';

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

interface Entry {
  message: SourceMessage;
  target: RouteTarget;
  payload: Buffer;
  rows: number;
  batchKey: string;
  idKey: string;
}

interface Rejection {
  entry: Entry;
  description: string;
}

/** Whether an admitted message still holds its admission slot (until it is settled or handed to a batch). */
interface Admission {
  holdsSlot: boolean;
  table?: string;
}

type State = 'idle' | 'running' | 'draining' | 'stopped';

/** Raised inside retry loops when stop() gave up waiting; the batch is abandoned for redelivery. */
class DrainAbortedError extends Error {}

class PermanentIngestFailure extends Error {
  constructor(readonly failure: IngestFailure) {
    super(failure.message);
  }
}

const UNROUTED_TABLE = '(unrouted)';
/** Metric label of messages refused before routing (body size, JSON depth). */
const ADMISSION_TABLE = '(admission)';
const DEDUP_RETRY_AFTER_MS = 60_000;

export class IngestionPipeline {
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly metrics: IngestionMetrics;
  private readonly random: () => number;
  private readonly accumulator: BatchAccumulator<Entry>;
  private readonly listeners = new Set<BatchCommittedListener>();
  private stopping?: Promise<void>;
  /** idKey → messages with the same id received while the first one is still in flight. */
  private readonly inFlightIds = new Map<string, Entry[]>();
  private readonly active = new Set<Promise<void>>();
  private readonly sourceHealth: ReachabilityTracker;
  /** The receive link's state as the source reports it (see MessageSource.subscribe). */
  private linkAttached = false;
  private linkAttachments = 0;
  private readonly sinkHealth: ReachabilityTracker;
  private state: State = 'idle';
  private admissionWaiters: Array<() => void> = [];
  private slotWaiters: Array<() => void> = [];
  private runningIngests = 0;
  private retryingBatches = 0;
  private aborting = false;
  private abortWaiters: Array<() => void> = [];
  private flushTimer?: { handle: NodeJS.Timeout; at: number };
  /** See start(): batches wait for this before their lookup and ingest. */
  private ingestAllowed?: Promise<void>;
  /** Tables whose id lookup failed permanently → ingested without dedup until this time (then retried). */
  private readonly dedupSuspendedUntil = new Map<string, number>();
  private readonly limits: MessageLimits;
  private readonly stallThresholdMs: number;
  /** When a held message was last settled, or the backlog began (in-flight went from 0 to 1). */
  private progressAt: number;
  private readonly counters: IngestionStats = {
    received: 0,
    ingested: 0,
    duplicates: 0,
    deadLettered: 0,
    abandoned: 0,
    inFlight: 0,
    paused: false,
    pauses: 0,
    batches: 0,
  };

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
    this.accumulator = new BatchAccumulator<Entry>(options.batch);
    this.sourceHealth = new ReachabilityTracker(this.clock, options.unreachableThresholdMs);
    this.sinkHealth = new ReachabilityTracker(this.clock, options.unreachableThresholdMs);
    this.limits = options.limits ?? DEFAULT_MESSAGE_LIMITS;
    this.stallThresholdMs = options.stallThresholdMs ?? DEFAULT_STALL_THRESHOLD_MS;
    this.progressAt = this.clock.now();
  }

  /**
   * Subscribes. `ingestAfter`: messages are received and batched at once, but no batch is looked up or ingested
   * before it resolves — `npm start` subscribes while the engine still creates the update policies, so the first
   * batch is ready the moment the tables can take it.
   */
  start(options: { ingestAfter?: Promise<void> } = {}): Promise<void> {
    if (options.ingestAfter) {
      const gate = options.ingestAfter;
      this.ingestAllowed = new Promise<void>((resolve) => {
        // A failed gate (the caller could not prepare storage) must not hold batches: they fail and retry as usual.
        void gate.then(resolve, resolve);
      });
    }
    if (this.state !== 'idle') {
      throw new IngestionError(
        IngestionErrorCode.InvalidState,
        `IngestionPipeline.start() called while ${this.state}`,
      );
    }
    this.state = 'running';
    // Not attached until the source says so: an unreachable broker at start-up fails readiness after the threshold.
    this.sourceHealth.markDown('receive link not attached yet');
    this.deps.source.subscribe(
      (message) => this.handle(message),
      (error, where) => this.onSourceError(error, where),
      (attached) => this.onLink(attached),
    );
    this.logger.info({ options: this.options }, 'ingestion pipeline started');
    return Promise.resolve();
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
      await Promise.allSettled([this.deps.source.close(), this.deps.sink.close(), this.deps.index?.close()]);
      return;
    }
    if (this.state !== 'running') {
      return;
    }
    this.state = 'draining';
    this.wakeAdmission();
    const abortTimer = setTimeout(() => this.abort(), this.options.drainTimeoutMs);
    try {
      await this.deps.source.stopReceiving();
      this.clearFlushTimer();
      while (this.active.size > 0 || this.accumulator.pendingItems > 0) {
        for (const batch of this.accumulator.takeAll()) {
          this.dispatch(batch);
        }
        await Promise.allSettled([...this.active]);
      }
    } finally {
      clearTimeout(abortTimer);
      this.state = 'stopped';
      await Promise.allSettled([this.deps.source.close(), this.deps.sink.close(), this.deps.index?.close()]);
      this.logger.info({ stats: this.stats() }, 'ingestion pipeline stopped');
    }
  }

  /** Called after every batch whose rows are durably in `table`; returns an unsubscribe function. */
  onBatchCommitted(listener: BatchCommittedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  stats(): IngestionStats {
    return { ...this.counters, paused: this.retryingBatches > 0 };
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
    const inFlight = this.counters.inFlight;
    const paused = this.retryingBatches > 0;
    if (inFlight === 0) {
      return Promise.resolve({ up: true, details: { inFlight } });
    }
    const noProgressForMs = this.clock.now() - this.progressAt;
    return Promise.resolve({
      up: noProgressForMs <= this.stallThresholdMs,
      details: { inFlight, noProgressForMs, thresholdMs: this.stallThresholdMs, paused },
    });
  }

  // ── reception ─────────────────────────────────────────────────────────────────────────────────────────────

  private async handle(message: SourceMessage): Promise<void> {
    if (!(await this.admit())) {
      // Draining: hand the message straight back so another replica can take it.
      await this.settle('abandon', message);
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
        await this.deadLetter(
          message,
          admission.table ?? UNROUTED_TABLE,
          DeadLetterReason.ProcessingFailed,
          `kqlgate could not process the message: ${describeError(error)}`,
        );
      }
    } finally {
      if (admission.holdsSlot) {
        this.releaseAdmission(1);
      }
    }
  }

  /** Admission checks, route, encode, hand over to a batch; a message refused on the way is dead-lettered. */
  private async process(message: SourceMessage, admission: Admission): Promise<void> {
    const oversized = checkBodySize(message.body, this.limits);
    if (oversized) {
      await this.refuse(message, ADMISSION_TABLE, oversized, admission);
      return;
    }
    const body = decodeBody(message.body);
    const parsed = parseBody(body);
    const tooDeep = parsed.ok ? checkJsonDepth(parsed.value, this.limits) : undefined;
    if (tooDeep) {
      await this.refuse(message, ADMISSION_TABLE, tooDeep, admission);
      return;
    }
    const decision = this.deps.router.route(
      message.applicationProperties,
      parsed.ok ? parsed.value : undefined,
    );
    if (decision.kind === 'rejected') {
      await this.refuse(message, UNROUTED_TABLE, decision, admission);
      return;
    }
    const target = decision.target;
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
      await this.deadLetter(message, target.table, encoded.reason, encoded.description);
      return;
    }
    const entry: Entry = {
      message,
      target,
      payload: encoded.payload,
      rows: encoded.rows,
      batchKey: `${target.table}\u0001${target.format}\u0001${target.mappingReference ?? ''}`,
      idKey: `${target.table}\u0001${message.messageId}`,
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
    admission.table = table;
    await this.deadLetter(message, table, rejection.reason, rejection.description);
  }

  private countReceived(table: string): void {
    this.counters.received++;
    this.metrics.received.inc({ table });
  }

  private async admit(): Promise<boolean> {
    while (
      this.state === 'running' &&
      (this.retryingBatches > 0 || this.counters.inFlight >= this.options.maxInFlight)
    ) {
      await new Promise<void>((resolve) => this.admissionWaiters.push(resolve));
    }
    if (this.state !== 'running') {
      return false;
    }
    if (this.counters.inFlight++ === 0) {
      // A backlog begins: the time without progress counts from here, not from the last settlement of the past.
      this.progressAt = this.clock.now();
    }
    this.metrics.inFlight.inc();
    return true;
  }

  private releaseAdmission(count: number): void {
    this.counters.inFlight -= count;
    this.progressAt = this.clock.now();
    this.metrics.inFlight.dec(count);
    this.wakeAdmission();
  }

  private wakeAdmission(): void {
    const waiters = this.admissionWaiters;
    this.admissionWaiters = [];
    for (const wake of waiters) {
      wake();
    }
  }

  private onSourceError(error: Error, where: string): void {
    this.logger.warn({ err: error, where }, `Service Bus ${where} error: ${error.message}`);
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
      if (this.linkAttachments++ > 0) {
        this.logger.info('Service Bus receive link attached again; reception resumed');
      }
      this.sourceHealth.markUp();
    } else if (this.state === 'running') {
      this.logger.warn('Service Bus receive link lost; re-attaching with back-off');
      this.sourceHealth.markDown('receive link detached; re-attaching');
    }
  }

  // ── batching ──────────────────────────────────────────────────────────────────────────────────────────────

  private enqueue(entry: Entry): void {
    const now = this.clock.now();
    // Under a flood of incoming messages (a backlog after a restart, the demo's history) the event loop runs
    // message callbacks back to back and the flush timer fires late: seal what is due before adding, so maxAgeMs
    // holds whatever the load.
    if (this.flushTimer && this.flushTimer.at <= now) {
      this.clearFlushTimer();
      for (const batch of this.accumulator.takeExpired(now)) {
        this.dispatch(batch);
      }
    }
    for (const batch of this.accumulator.add(entry.batchKey, entry, entry.payload.length, now)) {
      this.dispatch(batch);
    }
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    const deadline = this.accumulator.nextDeadline();
    if (deadline === undefined) {
      this.clearFlushTimer();
      return;
    }
    if (this.flushTimer && this.flushTimer.at <= deadline) {
      return;
    }
    this.clearFlushTimer();
    const handle = setTimeout(
      () => {
        this.flushTimer = undefined;
        for (const batch of this.accumulator.takeExpired(this.clock.now())) {
          this.dispatch(batch);
        }
        this.scheduleFlush();
      },
      Math.max(0, deadline - this.clock.now()),
    );
    this.flushTimer = { handle, at: deadline };
  }

  private clearFlushTimer(): void {
    if (this.flushTimer) {
      clearTimeout(this.flushTimer.handle);
      this.flushTimer = undefined;
    }
  }

  private dispatch(batch: Batch<Entry>): void {
    const run = this.runBatch(batch).finally(() => this.active.delete(run));
    this.active.add(run);
  }

  // ── ingest + settle ───────────────────────────────────────────────────────────────────────────────────────

  private async runBatch(batch: Batch<Entry>): Promise<void> {
    if (this.ingestAllowed && !this.aborting) {
      await Promise.race([
        this.ingestAllowed,
        new Promise<void>((resolve) => this.abortWaiters.push(resolve)),
      ]);
    }
    await this.acquireSlot();
    const entries = batch.items;
    const target = entries[0].target;
    try {
      if (this.aborting) {
        // A stop gave up waiting (drain timeout) while the batch waited for start()'s gate: redeliver it.
        throw new DrainAbortedError();
      }
      const { fresh, duplicates } = await this.removeAlreadyIngested(target, entries);
      const { ingested, rejected } = await this.ingestIsolating(target, fresh, 0);
      const rows = ingested.reduce((sum, e) => sum + e.rows, 0);
      if (ingested.length > 0) {
        this.emitCommitted({ database: this.options.database, table: target.table, rows });
      }
      const now = this.clock.now();
      await Promise.all([
        ...[...ingested, ...duplicates].map((e) => this.settle('complete', e.message)),
        ...rejected.map((r) =>
          this.deadLetter(r.entry.message, target.table, DeadLetterReason.MappingFailure, r.description),
        ),
      ]);
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
      if (!(error instanceof DrainAbortedError)) {
        this.logger.error(
          { err: error, table: target.table },
          `batch for ${target.table} failed unexpectedly; abandoning it`,
        );
      }
      await Promise.all(entries.map((e) => this.settle('abandon', e.message)));
      this.counters.abandoned += entries.length;
    } finally {
      this.releaseSlot();
      this.releaseAdmission(entries.length);
      for (const entry of entries) {
        this.releaseId(entry.idKey);
      }
    }
  }

  /** Splits off messages whose id is already in the table (a redelivery or resend of an ingested message). */
  private async removeAlreadyIngested(
    target: RouteTarget,
    entries: Entry[],
    everyId = false,
  ): Promise<{ fresh: Entry[]; duplicates: Entry[] }> {
    if (!this.dedupApplies(target)) {
      return { fresh: entries, duplicates: [] };
    }
    const candidates =
      this.options.dedup === 'redelivered' && !everyId
        ? entries.filter((e) => e.message.deliveryCount > 0)
        : entries;
    if (candidates.length === 0) {
      return { fresh: entries, duplicates: [] };
    }
    let existing: Set<string>;
    try {
      existing = await this.withRetry(target.table, 'lookup', () =>
        this.deps.index!.existing(
          this.options.database,
          target.table,
          this.options.dedupColumn,
          candidates.map((e) => e.message.messageId),
        ),
      );
    } catch (error) {
      if (!(error instanceof PermanentIngestFailure)) {
        throw error;
      }
      // Keep the data flowing (at-least-once) and say how to fix the cause.
      this.dedupSuspendedUntil.set(target.table, this.clock.now() + DEDUP_RETRY_AFTER_MS);
      this.logger.error(
        { table: target.table, column: this.options.dedupColumn, error: error.message },
        `message-id lookup on ${target.table} failed permanently (${error.message}); ingesting ${target.table} ` +
          `without dedup for ${DEDUP_RETRY_AFTER_MS / 1000} s. ${this.lookupAdvice(target.table, error.message)}`,
      );
      return { fresh: entries, duplicates: [] };
    }
    const fresh: Entry[] = [];
    const duplicates: Entry[] = [];
    for (const entry of entries) {
      (existing.has(entry.message.messageId) ? duplicates : fresh).push(entry);
    }
    return { fresh, duplicates };
  }

  /** The engine names what it could not resolve: the table (missing) or the id column (not in the table). */
  private lookupAdvice(table: string, message: string): string {
    const column = this.options.dedupColumn;
    if (message.includes(`'${table}'`) && !message.includes(`'${column}'`)) {
      return `Table ${table} does not exist in database ${this.options.database}: create it, or route its messages elsewhere.`;
    }
    if (message.includes(`'${column}'`)) {
      return `Add a string column ${column} mapped from $.messageId to ${table}, or set INGEST_DEDUP=off.`;
    }
    return `If ${table} cannot hold message ids, set INGEST_DEDUP=off.`;
  }

  private dedupApplies(target: RouteTarget): boolean {
    if (this.options.dedup === 'off' || target.format === 'csv') {
      return false;
    }
    const suspendedUntil = this.dedupSuspendedUntil.get(target.table);
    return suspendedUntil === undefined || this.clock.now() >= suspendedUntil;
  }

  /**
   * Ingests entries as one request; when the engine rejects it permanently, halves it until each rejected
   * message is alone (log2(n) extra requests per bad message), so one poison message never blocks its batch.
   */
  private async ingestIsolating(
    target: RouteTarget,
    entries: Entry[],
    depth: number,
  ): Promise<{ ingested: Entry[]; rejected: Rejection[] }> {
    if (entries.length === 0) {
      return { ingested: [], rejected: [] };
    }
    let toIngest = entries;
    let alreadyIn: Entry[] = [];
    if (depth > 0) {
      // The engine might have kept part of a rejected request; look again so bisection never duplicates rows.
      const split = await this.removeAlreadyIngested(target, entries, true);
      toIngest = split.fresh;
      alreadyIn = split.duplicates;
      if (toIngest.length === 0) {
        return { ingested: alreadyIn, rejected: [] };
      }
    }
    const payload = Buffer.concat(toIngest.map((e) => e.payload));
    const ingestTarget: IngestTarget = {
      database: this.options.database,
      table: target.table,
      format: wireFormat(target.format),
    };
    if (target.mappingReference !== undefined) {
      ingestTarget.mappingReference = target.mappingReference;
    }
    try {
      await this.withRetry(target.table, 'ingest', () => this.timedIngest(ingestTarget, payload, toIngest));
      return { ingested: [...toIngest, ...alreadyIn], rejected: [] };
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
      const middle = Math.ceil(toIngest.length / 2);
      const left = await this.ingestIsolating(target, toIngest.slice(0, middle), depth + 1);
      const right = await this.ingestIsolating(target, toIngest.slice(middle), depth + 1);
      return {
        ingested: [...alreadyIn, ...left.ingested, ...right.ingested],
        rejected: [...left.rejected, ...right.rejected],
      };
    }
  }

  private async timedIngest(target: IngestTarget, payload: Buffer, entries: Entry[]): Promise<void> {
    const started = this.clock.now();
    let outcome = 'error';
    try {
      await this.deps.sink.ingest(target, payload);
      outcome = 'ok';
      this.metrics.batchEvents.observe({ table: target.table }, entries.length);
      this.metrics.batchBytes.observe({ table: target.table }, payload.length);
    } finally {
      this.metrics.ingestDuration.observe(
        { table: target.table, outcome },
        (this.clock.now() - started) / 1000,
      );
    }
  }

  /**
   * Runs an engine call until it succeeds or fails permanently. While any batch is in here after a transient
   * failure, reception is paused (admit() waits) — the backpressure that keeps an outage from piling messages
   * into memory or the DLQ.
   */
  private async withRetry<T>(table: string, operation: string, call: () => Promise<T>): Promise<T> {
    let attempt = 0;
    let pausedHere = false;
    let answered = false;
    try {
      for (;;) {
        if (this.aborting) {
          throw new DrainAbortedError('stop() timed out while the engine was failing');
        }
        try {
          const result = await call();
          answered = true;
          this.sinkHealth.markUp();
          return result;
        } catch (error) {
          const failure = classifyIngestFailure(error);
          if (failure.kind === 'permanent') {
            answered = true;
            this.sinkHealth.markUp();
            throw new PermanentIngestFailure(failure);
          }
          // The engine's own reason (its Kusto error body), not the HTTP client's "status code 500".
          this.sinkHealth.markDown(
            failure.status !== undefined ? `HTTP ${failure.status}: ${failure.message}` : failure.message,
          );
          this.metrics.transientFailures.inc({ table, operation });
          if (!pausedHere) {
            pausedHere = true;
            if (this.retryingBatches++ === 0) {
              this.counters.pauses++;
              this.metrics.paused.set(1);
              this.logger.warn(
                { table, operation, error: failure.message },
                `engine failing transiently; reception paused`,
              );
            }
          }
          await this.sleepUnlessAborted(backoffDelayMs(attempt++, this.options.backoff, this.random));
        }
      }
    } finally {
      if (pausedHere && --this.retryingBatches === 0) {
        this.metrics.paused.set(0);
        if (answered) {
          this.logger.info({ table, attempts: attempt }, 'engine answering again; reception resumed');
        } else {
          // A stop gave up waiting: the engine never answered, and reception is over, not resumed.
          this.logger.warn(
            { table, attempts: attempt },
            'engine still failing when the shutdown stopped waiting; unsettled messages are abandoned for redelivery',
          );
        }
        this.wakeAdmission();
      }
    }
  }

  private async sleepUnlessAborted(ms: number): Promise<void> {
    if (this.aborting) {
      return;
    }
    await Promise.race([
      this.clock.sleep(ms),
      new Promise<void>((resolve) => this.abortWaiters.push(resolve)),
    ]);
  }

  private abort(): void {
    this.aborting = true;
    const waiters = this.abortWaiters;
    this.abortWaiters = [];
    for (const wake of waiters) {
      wake();
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

  private async settle(operation: 'complete' | 'abandon', message: SourceMessage): Promise<void> {
    try {
      await (operation === 'complete'
        ? this.deps.source.complete(message)
        : this.deps.source.abandon(message));
    } catch (error) {
      // Lock lost or link gone: the message comes back and the lookup completes it without a second ingest.
      this.metrics.settlementFailures.inc({ operation });
      this.logger.warn(
        { err: error, messageId: message.messageId },
        `${operation} failed: ${(error as Error).message}`,
      );
    }
  }

  private async deadLetter(
    message: SourceMessage,
    table: string,
    reason: DeadLetterReason,
    description: string,
  ): Promise<void> {
    this.counters.deadLettered++;
    this.metrics.deadLettered.inc({ table, reason });
    this.logger.warn(
      { messageId: message.messageId, table, reason, description },
      `dead-lettering message: ${description}`,
    );
    try {
      await this.deps.source.deadLetter(message, reason, description);
    } catch (error) {
      this.metrics.settlementFailures.inc({ operation: 'deadLetter' });
      this.logger.warn(
        { err: error, messageId: message.messageId },
        `dead-letter failed: ${(error as Error).message}`,
      );
    }
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
