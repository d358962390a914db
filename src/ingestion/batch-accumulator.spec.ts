import { describe, expect, it } from 'vitest';
import { BatchAccumulator } from './batch-accumulator.js';

describe(BatchAccumulator.name, () => {
  const limits = { maxEvents: 3, maxBytes: 100, maxAgeMs: 50 };

  it('should seal a batch when it reaches maxEvents', () => {
    const acc = new BatchAccumulator<string>(limits);
    expect(acc.add('T', 'a', 1, 0)).toEqual([]);
    expect(acc.add('T', 'b', 1, 0)).toEqual([]);
    expect(acc.add('T', 'c', 1, 0)).toEqual([
      { key: 'T', items: ['a', 'b', 'c'], bytes: 3, tagBytes: 0, openedAt: 0 },
    ]);
    expect(acc.pendingItems).toBe(0);
  });

  it('should seal the open batch before an item that would exceed maxBytes', () => {
    const acc = new BatchAccumulator<string>(limits);
    acc.add('T', 'a', 60, 0);
    expect(acc.add('T', 'b', 60, 5)).toEqual([
      { key: 'T', items: ['a'], bytes: 60, tagBytes: 0, openedAt: 0 },
    ]);
    expect(acc.pendingItems).toBe(1);
  });

  it('should seal an item that fills maxBytes on its own immediately', () => {
    const acc = new BatchAccumulator<string>(limits);
    acc.add('T', 'a', 10, 0);
    const sealed = acc.add('T', 'big', 100, 1);
    expect(sealed.map((b) => b.items)).toEqual([['a'], ['big']]);
  });

  it('should seal the open batch before an item whose tag would exceed maxTagBytes', () => {
    const acc = new BatchAccumulator<string>({ ...limits, maxEvents: 100, maxTagBytes: 250 });
    acc.add('T', 'a', 1, 0, 100);
    acc.add('T', 'b', 1, 0, 100);
    expect(acc.add('T', 'c', 1, 0, 100)).toEqual([
      { key: 'T', items: ['a', 'b'], bytes: 2, tagBytes: 200, openedAt: 0 },
    ]);
    expect(acc.add('T', 'd', 1, 0, 150).map((b) => b.items)).toEqual([['c', 'd']]);
    expect(acc.pendingItems).toBe(0);
  });

  it('should keep tables apart', () => {
    const acc = new BatchAccumulator<string>(limits);
    acc.add('A', 'a1', 1, 0);
    acc.add('B', 'b1', 1, 0);
    acc.add('A', 'a2', 1, 0);
    expect(acc.add('A', 'a3', 1, 0)[0].items).toEqual(['a1', 'a2', 'a3']);
    expect(acc.pendingItems).toBe(1);
  });

  it('should expire batches by the age of their oldest item', () => {
    const acc = new BatchAccumulator<string>(limits);
    acc.add('A', 'a', 1, 10);
    acc.add('B', 'b', 1, 30);
    expect(acc.nextDeadline()).toBe(60);
    expect(acc.takeExpired(59)).toEqual([]);
    expect(acc.takeExpired(60).map((b) => b.key)).toEqual(['A']);
    expect(acc.nextDeadline()).toBe(80);
    expect(acc.takeAll().map((b) => b.key)).toEqual(['B']);
    expect(acc.nextDeadline()).toBeUndefined();
  });

  it('should refuse non-positive limits', () => {
    expect(() => new BatchAccumulator({ maxEvents: 0, maxBytes: 1, maxAgeMs: 1 })).toThrow(
      'batch limits must be positive (maxEvents=0, maxBytes=1, maxAgeMs=1)',
    );
  });
});
