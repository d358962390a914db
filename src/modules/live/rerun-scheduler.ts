/**
 * When a live subscription re-runs its function: never two runs at once, at most one start per interval (the
 * function's `live=` or cache TTL), and requests that arrive meanwhile coalesce into one run after the interval —
 * so a burst of commits costs one query, and the last commit of a burst is always followed by a run.
 */
export class RerunScheduler {
  private lastStart = Number.NEGATIVE_INFINITY;
  private running = false;
  private pending = false;
  private stopped = false;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly task: () => Promise<void>,
    private readonly intervalMs: () => number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Counts a run made outside the scheduler (the first result, at subscription) towards the interval. */
  ran(): void {
    this.lastStart = this.now();
  }

  /** Asks for a run: as soon as the interval allows, and not before `notBeforeMs` from now. */
  request(notBeforeMs = 0): void {
    if (this.stopped) {
      return;
    }
    if (this.running) {
      this.pending = true;
      return;
    }
    if (this.timer) {
      return;
    }
    const wait = Math.max(notBeforeMs, this.lastStart + this.intervalMs() - this.now(), 0);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.run();
    }, wait);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async run(): Promise<void> {
    if (this.stopped) {
      return;
    }
    this.running = true;
    this.lastStart = this.now();
    try {
      await this.task();
    } finally {
      this.running = false;
      if (this.pending) {
        this.pending = false;
        this.request();
      }
    }
  }
}
