import { describe, expect, it } from 'vitest';
import { decodeCell } from './result-decoder.js';

describe('decodeCell', () => {
  it('should encode datetimes with 7 fractional digits and Z', () => {
    expect(decodeCell(638_396_677_231_234_567n, 'datetime')).toBe('2024-01-01T01:02:03.1234567Z');
    expect(decodeCell({ micros: 1_704_070_923_123_456n }, 'datetime')).toBe('2024-01-01T01:02:03.1234560Z');
    expect(decodeCell(new Date('2024-05-01T12:34:56.789Z'), 'datetime')).toBe('2024-05-01T12:34:56.7890000Z');
  });

  it('should encode timespans as [-][d.]hh:mm:ss[.fffffff]', () => {
    expect(decodeCell(937_845_000_000n, 'timespan')).toBe('1.02:03:04.5000000');
    expect(decodeCell(864_000_000_000n, 'timespan')).toBe('1.00:00:00');
    expect(decodeCell(-18_000_000_000n, 'timespan')).toBe('-00:30:00');
    expect(decodeCell(1n, 'timespan')).toBe('00:00:00.0000001');
  });

  it('should encode longs as numbers, decimals as strings and special reals as strings', () => {
    expect(decodeCell(5n, 'long')).toBe(5);
    expect(decodeCell({ width: 38, scale: 18, value: 1_500_000_000_000_000_000n }, 'decimal')).toBe('1.5');
    expect(decodeCell(Number.NaN, 'real')).toBe('NaN');
    expect(decodeCell(-Infinity, 'real')).toBe('-Infinity');
  });

  it('should embed dynamic values as JSON and never return null strings', () => {
    expect(decodeCell('{"a":[1,2]}', 'dynamic')).toEqual({ a: [1, 2] });
    expect(decodeCell({ items: [1n, '"x"'] }, 'dynamic')).toEqual([1, 'x']);
    expect(decodeCell(null, 'dynamic')).toBeNull();
    expect(decodeCell(null, 'string')).toBe('');
    expect(decodeCell(null, 'long')).toBeNull();
  });
});
