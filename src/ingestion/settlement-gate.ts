/**
 * Orders settlements on the receive link so that no two different outcomes ever share a disposition frame.
 *
 * rhea (3.0.5, the AMQP client under @azure/service-bus) sends the dispositions set during one tick as ranges of
 * consecutive delivery ids, each range with the state of its first delivery. It means to merge only `accepted`
 * outcomes, but skips that comparison while a range holds a single delivery (`write_dispositions` in
 * lib/session.js): a complete and a dead-letter of adjacent deliveries reach the broker as two completes (the
 * poison message is dropped instead of dead-lettered), a dead-letter followed by a complete dead-letters the good
 * message, and two dead-letters share the first one's reason. The broker — Service Bus or the embedded one —
 * applies the frame as sent.
 *
 * So settlements run in lanes keyed by their exact outcome: those of one outcome (every complete; every abandon;
 * dead-letters with the same reason and description) run together, and a different outcome starts only once the
 * broker has acknowledged every settlement in flight. Waiters are served in arrival order, so a stream of
 * completes cannot starve a dead-letter; consecutive waiters of one outcome start together.
 */
export class SettlementGate {
  private activeOutcome?: string;
  private running = 0;
  private readonly waiting: Array<{ outcome: string; start: () => void }> = [];

  async run<T>(outcome: string, settle: () => Promise<T>): Promise<T> {
    if (this.waiting.length > 0 || !this.admits(outcome)) {
      await new Promise<void>((start) => this.waiting.push({ outcome, start }));
    } else {
      this.enter(outcome);
    }
    try {
      return await settle();
    } finally {
      this.leave();
    }
  }

  private admits(outcome: string): boolean {
    return this.running === 0 || this.activeOutcome === outcome;
  }

  private enter(outcome: string): void {
    this.activeOutcome = outcome;
    this.running++;
  }

  private leave(): void {
    this.running--;
    while (this.waiting.length > 0 && this.admits(this.waiting[0].outcome)) {
      const next = this.waiting.shift()!;
      this.enter(next.outcome);
      next.start();
    }
  }
}
