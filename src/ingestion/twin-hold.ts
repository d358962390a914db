/**
 * The hold step: at most one message per table + MessageId between routing and settlement. A message whose id is
 * already in flight (a producer resend, or a redelivery after a lost lock) waits for its twin to settle: ingesting
 * both in parallel batches would defeat the dedup lookup, while after the twin settles its rows are visible to it.
 */
import type { PipelineEntry } from './pipeline-entry.js';

export class TwinHold {
  /** idKey → messages with the same id received while the first one (the owner) is still in flight. */
  private readonly inFlight = new Map<string, PipelineEntry[]>();

  /** True when the entry's id was free: it owns the id now and goes to a batch. False: held behind its twin. */
  claim(entry: PipelineEntry): boolean {
    const twins = this.inFlight.get(entry.idKey);
    if (twins) {
      twins.push(entry);
      return false;
    }
    this.inFlight.set(entry.idKey, []);
    return true;
  }

  /** The id's owner settled: the next twin, if any, becomes the owner and is returned to go to its lookup. */
  release(idKey: string): PipelineEntry | undefined {
    const twins = this.inFlight.get(idKey);
    if (!twins || twins.length === 0) {
      this.inFlight.delete(idKey);
      return undefined;
    }
    return twins.shift();
  }
}
