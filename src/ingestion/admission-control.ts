/**
 * Admission: the pipeline's door for received messages.
 *
 * - Backpressure: a message waits while reception is paused (the engine failing transiently) or maxInFlight
 *   messages are received but unsettled. The SDK's handler awaiting here is what keeps the broker's credit at zero.
 * - Limits: body size before anything decodes it, JSON nesting depth before anything walks it (message-limits).
 * - Progress: a backlog that stops moving — messages held, none settled for the stall threshold — whatever the cause.
 *
 * An admitted message holds its slot until it is settled or handed to a batch (whose settlement releases it).
 */
import type { Clock } from './clock.js';
import { decodeBody, parseBody, type ParsedBody } from './event-encoder.js';
import type { IngestionMetrics } from './ingestion-metrics.js';
import { checkBodySize, checkJsonDepth, type LimitRejection, type MessageLimits } from './message-limits.js';
import type { ReachabilityStatus } from './reachability-tracker.js';

export interface AdmittedBody {
  body: unknown;
  parsed: ParsedBody;
}

export interface AdmissionControlOptions {
  maxInFlight: number;
  limits: MessageLimits;
  stallThresholdMs: number;
}

export class AdmissionControl {
  /** Received and not yet settled (or handed over to a batch that settles it). */
  inFlight = 0;
  private waiters: Array<() => void> = [];
  /** When a held message was last settled, or the backlog began (in-flight went from 0 to 1). */
  private progressAt: number;

  constructor(
    private readonly options: AdmissionControlOptions,
    private readonly clock: Clock,
    private readonly metrics: IngestionMetrics,
  ) {
    this.progressAt = clock.now();
  }

  /** Waits for a slot; false when `running()` turns false meanwhile (draining: hand the message back). */
  async admit(running: () => boolean, paused: () => boolean): Promise<boolean> {
    while (running() && (paused() || this.inFlight >= this.options.maxInFlight)) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    if (!running()) {
      return false;
    }
    if (this.inFlight++ === 0) {
      // A backlog begins: the time without progress counts from here, not from the last settlement of the past.
      this.progressAt = this.clock.now();
    }
    this.metrics.inFlight.inc();
    return true;
  }

  release(count: number): void {
    this.inFlight -= count;
    this.progressAt = this.clock.now();
    this.metrics.inFlight.dec(count);
    this.wake();
  }

  /** Lets every waiting message look again (reception resumed, or draining). */
  wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) {
      wake();
    }
  }

  /** The body decoded and parsed, or why it is refused: too large, or nested too deep. */
  check(rawBody: unknown): AdmittedBody | LimitRejection {
    const oversized = checkBodySize(rawBody, this.options.limits);
    if (oversized) {
      return oversized;
    }
    const body = decodeBody(rawBody);
    const parsed = parseBody(body);
    const tooDeep = parsed.ok ? checkJsonDepth(parsed.value, this.options.limits) : undefined;
    return tooDeep ?? { body, parsed };
  }

  /** Down when messages are held and none has been settled for the stall threshold; an idle pipeline never is. */
  progressStatus(paused: boolean): ReachabilityStatus {
    const inFlight = this.inFlight;
    if (inFlight === 0) {
      return { up: true, details: { inFlight } };
    }
    const noProgressForMs = this.clock.now() - this.progressAt;
    const thresholdMs = this.options.stallThresholdMs;
    return {
      up: noProgressForMs <= thresholdMs,
      details: { inFlight, noProgressForMs, thresholdMs, paused },
    };
  }
}
