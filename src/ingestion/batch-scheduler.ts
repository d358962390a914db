/**
 * When a micro-batch goes out — adaptive, so that freshness does not pay a fixed window:
 *
 * - idle: nothing of this table+format+mapping is being ingested → the batch goes out at once, even with one message;
 * - busy: while a batch of the key is in flight, the next one fills, and goes out the moment the ingest returns;
 * - under load the limits hold as always: a batch reaching maxEvents or maxBytes goes out at once, and one whose
 *   oldest message reaches maxAgeMs goes out then, whatever is in flight (up to the pipeline's parallel ingests).
 *
 * So at a low rate each message is ingested as soon as it arrives, and under load batches grow to what one ingest
 * round trip accumulates — bounded by the size and age limits.
 */
import { BatchAccumulator, type Batch, type BatchLimits } from './batch-accumulator.js';
import type { Clock } from './clock.js';

export class BatchScheduler<T> {
  private readonly accumulator: BatchAccumulator<T>;
  /** Key → batches dispatched whose ingest has not returned yet. */
  private readonly inFlight = new Map<string, number>();
  private flushTimer?: { handle: NodeJS.Timeout; at: number };

  constructor(
    limits: BatchLimits,
    private readonly clock: Clock,
    private readonly dispatch: (batch: Batch<T>) => void,
  ) {
    this.accumulator = new BatchAccumulator<T>(limits);
  }

  /** `tagBytes`: what the item's ingest-by tag adds to a queued ingestion (BatchLimits.maxTagBytes). */
  add(key: string, item: T, bytes: number, tagBytes = 0): void {
    const now = this.clock.now();
    // Under a flood of incoming messages (a backlog after a restart, the demo's history) the event loop runs
    // message callbacks back to back and the flush timer fires late: seal what is due before adding, so maxAgeMs
    // holds whatever the load.
    if (this.flushTimer && this.flushTimer.at <= now) {
      this.clearTimer();
      for (const batch of this.accumulator.takeExpired(now)) {
        this.send(batch);
      }
    }
    for (const batch of this.accumulator.add(key, item, bytes, now, tagBytes)) {
      this.send(batch);
    }
    if (!this.inFlight.has(key)) {
      this.sendOpen(key);
    }
    this.scheduleFlush();
  }

  /** A batch of `key` came back from the engine (ingested, rejected or abandoned): what filled meanwhile goes. */
  ingestReturned(key: string): void {
    const left = (this.inFlight.get(key) ?? 1) - 1;
    if (left > 0) {
      this.inFlight.set(key, left);
      return;
    }
    this.inFlight.delete(key);
    this.sendOpen(key);
    this.scheduleFlush();
  }

  /** Seals everything (draining on shutdown). */
  takeAll(): Batch<T>[] {
    this.clearTimer();
    return this.accumulator.takeAll().map((batch) => this.count(batch));
  }

  get pendingItems(): number {
    return this.accumulator.pendingItems;
  }

  clearTimer(): void {
    if (this.flushTimer) {
      clearTimeout(this.flushTimer.handle);
      this.flushTimer = undefined;
    }
  }

  private sendOpen(key: string): void {
    const open = this.accumulator.take(key);
    if (open) {
      this.send(open);
    }
  }

  private send(batch: Batch<T>): void {
    this.dispatch(this.count(batch));
  }

  private count(batch: Batch<T>): Batch<T> {
    this.inFlight.set(batch.key, (this.inFlight.get(batch.key) ?? 0) + 1);
    return batch;
  }

  private scheduleFlush(): void {
    const deadline = this.accumulator.nextDeadline();
    if (deadline === undefined) {
      this.clearTimer();
      return;
    }
    if (this.flushTimer && this.flushTimer.at <= deadline) {
      return;
    }
    this.clearTimer();
    const handle = setTimeout(
      () => {
        this.flushTimer = undefined;
        for (const batch of this.accumulator.takeExpired(this.clock.now())) {
          this.send(batch);
        }
        this.scheduleFlush();
      },
      Math.max(0, deadline - this.clock.now()),
    );
    this.flushTimer = { handle, at: deadline };
  }
}
