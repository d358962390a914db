import type { StoredMessage } from '../store/stored-message.js';

/**
 * Messages available for delivery, ordered by sequence number. New messages append in O(1); a message that
 * comes back (abandon, lock expiry) is put back at its sequence position so that order is kept.
 */
export class ReadyQueue {
  private items: StoredMessage[] = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  push(message: StoredMessage): void {
    const last = this.items[this.items.length - 1];
    if (this.size === 0 || last.sequenceNumber < message.sequenceNumber) {
      this.items.push(message);
      return;
    }
    let lo = this.head;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.items[mid].sequenceNumber < message.sequenceNumber) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    this.items.splice(lo, 0, message);
  }

  first(): StoredMessage | undefined {
    return this.head < this.items.length ? this.items[this.head] : undefined;
  }

  shift(): StoredMessage | undefined {
    if (this.head >= this.items.length) {
      return undefined;
    }
    const message = this.items[this.head];
    this.items[this.head] = undefined as unknown as StoredMessage;
    this.head++;
    // Compact once the consumed prefix dominates, keeping shift O(1) amortised.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return message;
  }

  /** Removes messages matching the predicate (expiry sweeps); returns them. */
  removeWhere(predicate: (message: StoredMessage) => boolean): StoredMessage[] {
    const removed: StoredMessage[] = [];
    const kept: StoredMessage[] = [];
    for (let i = this.head; i < this.items.length; i++) {
      const message = this.items[i];
      (predicate(message) ? removed : kept).push(message);
    }
    if (removed.length > 0) {
      this.items = kept;
      this.head = 0;
    }
    return removed;
  }

  remove(message: StoredMessage): boolean {
    const index = this.items.indexOf(message, this.head);
    if (index < 0) {
      return false;
    }
    this.items.splice(index, 1);
    return true;
  }
}
