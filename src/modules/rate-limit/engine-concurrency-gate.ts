import { rateLimitMetrics } from './rate-limit-metrics.js';
import { RateLimitError, RateLimitErrorCode } from './rate-limit-error.js';

/**
 * A global cap on concurrent engine queries with a bounded FIFO queue. ADX capacity is shared: a burst beyond
 * `maxConcurrent` waits in line, and beyond `maxQueue` waiting requests it is refused at once with ENGINE_BUSY
 * (503 + Retry-After) instead of piling up latency and memory. Cache hits never pass through here.
 */
export class EngineConcurrencyGate {
  private active = 0;
  private readonly queue: (() => void)[] = [];
  private readonly activeGauge = rateLimitMetrics.engineActive();
  private readonly queuedGauge = rateLimitMetrics.engineQueued();
  private readonly rejected = rateLimitMetrics.engineRejected();

  constructor(
    readonly maxConcurrent: number,
    readonly maxQueue: number,
  ) {
    if (!Number.isInteger(maxConcurrent) || maxConcurrent < 1) {
      throw new Error(
        `EngineConcurrencyGate: maxConcurrent must be a positive integer, got ${maxConcurrent}`,
      );
    }
  }

  get running(): number {
    return this.active;
  }

  get waiting(): number {
    return this.queue.length;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.maxConcurrent) {
      if (this.queue.length >= this.maxQueue) {
        this.rejected.inc();
        throw new RateLimitError(
          RateLimitErrorCode.EngineBusy,
          `the query engine is saturated (${this.active} queries running, ${this.queue.length} waiting); retry shortly`,
          1,
          undefined,
          { running: this.active, waiting: this.queue.length },
        );
      }
      await new Promise<void>((resolve) => {
        this.queue.push(resolve);
        this.queuedGauge.set(this.queue.length);
      });
    } else {
      this.active += 1;
    }
    this.activeGauge.set(this.active);
    try {
      return await task();
    } finally {
      const next = this.queue.shift();
      this.queuedGauge.set(this.queue.length);
      if (next) {
        // The slot passes straight to the next waiter; `active` stays the same.
        next();
      } else {
        this.active -= 1;
        this.activeGauge.set(this.active);
      }
    }
  }
}
