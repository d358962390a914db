/**
 * Scheduled follow-ups of the simulated shop (a payment seconds after an order, a delivery a day after
 * dispatch, a refund days later). The simulator only sees this interface: unit tests use the in-memory heap,
 * the producer a SQLite table in its OLTP store (oltp.sqlite), so a restart picks up exactly where it stopped.
 *
 * Items are ordered by `(atMs, id)`; ids are allocated by the simulator, so both implementations yield the
 * same order and the same event stream.
 */
import type { FollowUpAction } from './follow-up-action.js';

export interface FollowUp {
  readonly id: number;
  readonly atMs: number;
  readonly action: FollowUpAction;
}

export interface FollowUpQueue {
  push(item: FollowUp): void;
  /** The earliest item without removing it. */
  peek(): FollowUp | undefined;
  /** Removes the item `peek()` returned. */
  pop(): FollowUp | undefined;
  size(): number;
}

export function compareFollowUps(a: FollowUp, b: FollowUp): number {
  return a.atMs - b.atMs || a.id - b.id;
}

/** A binary min-heap; fine for the volumes of unit tests and benchmarks. */
export class InMemoryFollowUpQueue implements FollowUpQueue {
  private readonly heap: FollowUp[] = [];

  push(item: FollowUp): void {
    const heap = this.heap;
    heap.push(item);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (compareFollowUps(heap[i], heap[parent]) >= 0) {
        break;
      }
      [heap[i], heap[parent]] = [heap[parent], heap[i]];
      i = parent;
    }
  }

  peek(): FollowUp | undefined {
    return this.heap[0];
  }

  pop(): FollowUp | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let min = i;
        if (l < heap.length && compareFollowUps(heap[l], heap[min]) < 0) {
          min = l;
        }
        if (r < heap.length && compareFollowUps(heap[r], heap[min]) < 0) {
          min = r;
        }
        if (min === i) {
          break;
        }
        [heap[i], heap[min]] = [heap[min], heap[i]];
        i = min;
      }
    }
    return top;
  }

  size(): number {
    return this.heap.length;
  }
}
