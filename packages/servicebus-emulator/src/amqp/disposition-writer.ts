/**
 * Every outcome the broker settles a delivery with — a sent transfer accepted or rejected, a `$cbs` /
 * `$management` request accepted, a client's settlement answered — goes through here, so that no two different
 * outcomes share a disposition frame.
 *
 * rhea (3.0.5) writes the dispositions set during one tick as ranges of consecutive delivery ids of a session,
 * each range carrying the state of its first delivery. It means to merge only `accepted` outcomes but skips that
 * comparison while a range holds a single delivery (`write_dispositions` in lib/session.js): a transfer rejected
 * next to an accepted one reaches the client as accepted (the sender believes a refused message was stored) or
 * the other way round (a stored message looks refused and is sent again), and two refusals share the first one's
 * error.
 *
 * So the settlements of one tick are collected and applied together on `process.nextTick`, before rhea writes
 * them: when every one is `accepted` (the common case) in the order they came, and ranges merge as intended;
 * otherwise in descending delivery id, which makes rhea close a range at every delivery (it extends a range only
 * with the next higher id), so each outcome gets its own frame.
 */
import type { Delivery } from 'rhea';
import { amqpMessage } from './rhea-codec.js';

interface PendingSettlement {
  readonly delivery: Delivery & { remote_settled: boolean };
  readonly state: unknown;
  /** An outgoing delivery the client will not settle again: rhea may free its slot once the frame is written. */
  readonly final: boolean;
}

const ACCEPTED_DESCRIPTOR = 0x24;

/** The `accepted` outcome; one shared value, as rhea only encodes it. */
export const ACCEPTED: unknown = amqpMessage.accepted().described();

function isAccepted(state: unknown): boolean {
  return (
    (state as { descriptor?: { value?: unknown } } | undefined)?.descriptor?.value === ACCEPTED_DESCRIPTOR
  );
}

export class DispositionWriter {
  private pending: PendingSettlement[] = [];
  private allAccepted = true;
  private readonly flushBound = (): void => this.flush();

  /** Settles `delivery` with `state`; `final` for a delivery the broker sent, whose settlement it answers. */
  settle(delivery: Delivery, state: unknown, final = false): void {
    if (this.pending.length === 0) {
      process.nextTick(this.flushBound);
    }
    this.allAccepted &&= isAccepted(state);
    this.pending.push({ delivery: delivery, state, final });
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    if (!this.allAccepted) {
      batch.sort((a, b) => b.delivery.id - a.delivery.id);
    }
    this.allAccepted = true;
    for (const { delivery, state, final } of batch) {
      delivery.update(true, state);
      if (final) {
        delivery.remote_settled = true;
      }
    }
  }
}
