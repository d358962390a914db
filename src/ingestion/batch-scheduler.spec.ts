import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Batch } from './batch-accumulator.js';
import { BatchScheduler } from './batch-scheduler.js';
import { systemClock } from './clock.js';

function setup(limits = { maxEvents: 3, maxBytes: 1000, maxAgeMs: 50 }) {
  const sent: Array<Batch<string>> = [];
  const sut = new BatchScheduler<string>(limits, systemClock, (batch) => sent.push(batch));
  const items = () => sent.map((b) => b.items);
  return { sut, sent, items };
}

describe(BatchScheduler.name, () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  describe('add', () => {
    it('should send a batch at once when nothing of its key is in flight', () => {
      const { sut, items } = setup();
      sut.add('T', 'a', 10);
      expect(items()).toEqual([['a']]);
    });

    it('should fill the next batch while one of its key is in flight, and send it when the ingest returns', () => {
      const { sut, items } = setup();
      sut.add('T', 'a', 10);
      sut.add('T', 'b', 10);
      sut.add('U', 'x', 10);
      sut.add('T', 'c', 10);
      expect(items()).toEqual([['a'], ['x']]);
      sut.ingestReturned('T');
      expect(items()).toEqual([['a'], ['x'], ['b', 'c']]);
      sut.clearTimer();
    });

    it('should send a full batch at once even while one of its key is in flight (load)', () => {
      const { sut, items } = setup();
      for (const item of ['a', 'b', 'c', 'd', 'e']) {
        sut.add('T', item, 10);
      }
      expect(items()).toEqual([['a'], ['b', 'c', 'd']]);
      expect(sut.pendingItems).toBe(1);
      sut.clearTimer();
    });

    it('should send a batch at its age limit while its key stays in flight', () => {
      vi.useFakeTimers();
      const { sut, items } = setup();
      sut.add('T', 'a', 10);
      sut.add('T', 'b', 10);
      vi.advanceTimersByTime(49);
      expect(items()).toEqual([['a']]);
      vi.advanceTimersByTime(1);
      expect(items()).toEqual([['a'], ['b']]);
    });
  });

  describe('ingestReturned', () => {
    it('should wait for every in-flight batch of the key before sending the open one', () => {
      const { sut, items } = setup({ maxEvents: 2, maxBytes: 1000, maxAgeMs: 50 });
      for (const item of ['a', 'b', 'c', 'd']) {
        sut.add('T', item, 10);
      }
      expect(items()).toEqual([['a'], ['b', 'c']]);
      sut.ingestReturned('T');
      expect(items()).toEqual([['a'], ['b', 'c']]);
      sut.ingestReturned('T');
      expect(items()).toEqual([['a'], ['b', 'c'], ['d']]);
    });
  });
});
