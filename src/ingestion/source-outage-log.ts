import type { Logger } from '../common/logging/logger.js';
import type { Clock } from './clock.js';

/** How often an outage that goes on is recalled in the log. */
export const OUTAGE_REMINDER_MS = 30_000;

/**
 * The log of an unreachable Service Bus. The SDK retries a failing receive several times a second, and a line per
 * attempt buries everything else: the first failure is logged as it happened, then, while the outage lasts, one
 * reminder per OUTAGE_REMINDER_MS with how many attempts failed since, and one line when reception resumes.
 */
export class SourceOutageLog {
  private failingSince?: number;
  private lastLoggedAt = 0;
  private failures = 0;
  private unlogged = 0;

  constructor(
    private readonly logger: Logger,
    private readonly clock: Clock,
    private readonly reminderMs = OUTAGE_REMINDER_MS,
  ) {}

  failed(error: Error, where: string): void {
    const now = this.clock.now();
    this.failures += 1;
    if (this.failingSince === undefined) {
      this.failingSince = now;
      this.lastLoggedAt = now;
      this.logger.warn({ err: error, where }, `Service Bus ${where} error: ${error.message}`);
      return;
    }
    this.unlogged += 1;
    if (now - this.lastLoggedAt < this.reminderMs) {
      return;
    }
    this.logger.warn(
      { err: error, where, failures: this.unlogged, failingForS: seconds(now - this.failingSince) },
      `Service Bus still failing after ${seconds(now - this.failingSince)} s: ${this.unlogged} more errors since the last line (last, on ${where}: ${error.message})`,
    );
    this.lastLoggedAt = now;
    this.unlogged = 0;
  }

  /** Reception works again: one line when it had failed. Returns whether it logged it. */
  recovered(): boolean {
    if (this.failingSince === undefined) {
      return false;
    }
    const failingForS = seconds(this.clock.now() - this.failingSince);
    this.logger.info(
      { failures: this.failures, failingForS },
      `Service Bus reachable again after ${failingForS} s and ${this.failures} failed attempts; reception resumed`,
    );
    this.failingSince = undefined;
    this.failures = 0;
    this.unlogged = 0;
    return true;
  }
}

function seconds(ms: number): number {
  return Math.round(ms / 1000);
}
