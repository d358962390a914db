import { describe, expect, it } from 'vitest';
import { jsonLongerThan } from './json-length.js';

describe('jsonLongerThan', () => {
  it('should measure exactly the JSON text of plain values', () => {
    const values: unknown[] = [
      null,
      true,
      false,
      0,
      -12.5,
      1e21,
      'text',
      [],
      {},
      [1, 'a', null, [true]],
      { data: { Orders: [{ OrderId: 'o-1', Total: 10.5, Paid: true, Note: null }], Count: 1 } },
    ];
    for (const value of values) {
      const length = JSON.stringify(value).length;
      expect(jsonLongerThan(value, length), JSON.stringify(value)).toBe(false);
      expect(jsonLongerThan(value, length - 1), JSON.stringify(value)).toBe(true);
    }
  });

  it('should count numbers exactly when their longest form would pass the limit', () => {
    const numbers = Array.from({ length: 100 }, (_, i) => i);
    const length = JSON.stringify(numbers).length;
    expect(length).toBeLessThan(100 * 24);
    expect(jsonLongerThan(numbers, length)).toBe(false);
    expect(jsonLongerThan(numbers, length - 1)).toBe(true);
  });

  it('should stop walking once the limit is passed', () => {
    let reads = 0;
    const rows = Array.from({ length: 1_000 }, () => ({
      get A() {
        reads += 1;
        return 'xxxxxxxxxx';
      },
    }));
    expect(jsonLongerThan(rows, 100)).toBe(true);
    // Two walks (see jsonLongerThan), each stopping after the ~6 rows that fill 100 characters.
    expect(reads).toBeLessThan(20);
  });
});
