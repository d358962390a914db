/**
 * Tracks whether a dependency has been failing for longer than a threshold. Short blips (a restart, a
 * throttling burst) do not flip readiness; an outage longer than `thresholdMs` does, and the first success
 * clears it. Feeds the `servicebus` and `kusto-ingest` readiness checks.
 */
import type { Clock } from './clock.js';

export interface ReachabilityStatus {
  up: boolean;
  details: Record<string, unknown>;
}

export class ReachabilityTracker {
  private failingSince?: number;
  private lastError?: string;

  constructor(
    private readonly clock: Clock,
    private readonly thresholdMs: number,
  ) {}

  markUp(): void {
    this.failingSince = undefined;
    this.lastError = undefined;
  }

  markDown(error: unknown): void {
    this.failingSince ??= this.clock.now();
    this.lastError = error instanceof Error ? error.message : String(error);
  }

  get failing(): boolean {
    return this.failingSince !== undefined;
  }

  status(): ReachabilityStatus {
    if (this.failingSince === undefined) {
      return { up: true, details: {} };
    }
    const failingForMs = this.clock.now() - this.failingSince;
    return {
      up: failingForMs <= this.thresholdMs,
      details: { failingForMs, thresholdMs: this.thresholdMs, lastError: this.lastError },
    };
  }
}
