/**
 * Groups items into micro-batches per key (one key per table + format + mapping) and seals a batch when it
 * reaches its event count, when one more item would exceed its byte budget or its tag budget, or when its oldest
 * item reaches the age limit. Pure logic with an injected clock reading: the pipeline asks for `takeExpired(now)` on a timer set to
 * `nextDeadline()`.
 */
export interface BatchLimits {
  maxEvents: number;
  maxBytes: number;
  maxAgeMs: number;
  /**
   * Bytes of ingest-by tags one batch may carry (a queued ingestion's queue message limit, IngestSink's
   * ingestByTagBudgetBytes); unset: no limit.
   */
  maxTagBytes?: number;
}

export interface Batch<T> {
  key: string;
  items: T[];
  bytes: number;
  tagBytes: number;
  openedAt: number;
}

export class BatchAccumulator<T> {
  private readonly open = new Map<string, Batch<T>>();

  constructor(private readonly limits: BatchLimits) {
    if (limits.maxEvents < 1 || limits.maxBytes < 1 || limits.maxAgeMs < 0 || (limits.maxTagBytes ?? 1) < 1) {
      throw new RangeError(
        `batch limits must be positive (maxEvents=${limits.maxEvents}, maxBytes=${limits.maxBytes}, maxAgeMs=${limits.maxAgeMs}${limits.maxTagBytes === undefined ? '' : `, maxTagBytes=${limits.maxTagBytes}`})`,
      );
    }
  }

  /**
   * Adds an item of `bytes` whose ingest-by tag takes `tagBytes`; returns the batches this sealed (zero, one, or two
   * when the item alone fills a new batch).
   */
  add(key: string, item: T, bytes: number, now: number, tagBytes = 0): Batch<T>[] {
    const sealed: Batch<T>[] = [];
    const maxTagBytes = this.limits.maxTagBytes ?? Infinity;
    let batch = this.open.get(key);
    if (batch && (batch.bytes + bytes > this.limits.maxBytes || batch.tagBytes + tagBytes > maxTagBytes)) {
      sealed.push(batch);
      this.open.delete(key);
      batch = undefined;
    }
    if (!batch) {
      batch = { key, items: [], bytes: 0, tagBytes: 0, openedAt: now };
      this.open.set(key, batch);
    }
    batch.items.push(item);
    batch.bytes += bytes;
    batch.tagBytes += tagBytes;
    if (
      batch.items.length >= this.limits.maxEvents ||
      batch.bytes >= this.limits.maxBytes ||
      batch.tagBytes >= maxTagBytes
    ) {
      sealed.push(batch);
      this.open.delete(key);
    }
    return sealed;
  }

  /** Seals and returns the open batch of `key`, if any, whatever its size and age. */
  take(key: string): Batch<T> | undefined {
    const batch = this.open.get(key);
    this.open.delete(key);
    return batch;
  }

  /** Seals and returns every batch whose oldest item is at least maxAgeMs old. */
  takeExpired(now: number): Batch<T>[] {
    const expired: Batch<T>[] = [];
    for (const [key, batch] of this.open) {
      if (now - batch.openedAt >= this.limits.maxAgeMs) {
        expired.push(batch);
        this.open.delete(key);
      }
    }
    return expired;
  }

  /** When the next open batch expires (absolute, same time base as `now`), or undefined when nothing is open. */
  nextDeadline(): number | undefined {
    let deadline: number | undefined;
    for (const batch of this.open.values()) {
      const expiresAt = batch.openedAt + this.limits.maxAgeMs;
      deadline = deadline === undefined ? expiresAt : Math.min(deadline, expiresAt);
    }
    return deadline;
  }

  /** Seals everything (used when draining on shutdown). */
  takeAll(): Batch<T>[] {
    const all = [...this.open.values()];
    this.open.clear();
    return all;
  }

  get pendingItems(): number {
    let count = 0;
    for (const batch of this.open.values()) {
      count += batch.items.length;
    }
    return count;
  }
}
