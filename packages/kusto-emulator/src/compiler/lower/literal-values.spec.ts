import { describe, expect, it } from 'vitest';
import { literalValue, parseDatetimeLiteral, parseTimespanLiteral } from './literal-values.js';

describe('parseTimespanLiteral', () => {
  it('should read unit suffixes, clock forms, bare days and null, in ticks', () => {
    expect(parseTimespanLiteral('1h')).toBe(36_000_000_000n);
    expect(parseTimespanLiteral('1.5d')).toBe(1_296_000_000_000n);
    expect(parseTimespanLiteral('30s')).toBe(300_000_000n);
    expect(parseTimespanLiteral('10ms')).toBe(100_000n);
    expect(parseTimespanLiteral('1tick')).toBe(1n);
    expect(parseTimespanLiteral('time(1.02:03:04.5)')).toBe(937_845_000_000n);
    expect(parseTimespanLiteral('time(00:00:00.0000007)')).toBe(7n);
    expect(parseTimespanLiteral('time(2)')).toBe(1_728_000_000_000n);
    expect(parseTimespanLiteral('-00:30:00')).toBe(-18_000_000_000n);
    expect(parseTimespanLiteral('timespan(null)')).toBeNull();
    expect(parseTimespanLiteral('1fortnight')).toBeUndefined();
  });
});

describe('parseDatetimeLiteral', () => {
  it('should keep all 7 fractional digits and accept Z and T', () => {
    expect(parseDatetimeLiteral('datetime(2024-01-02 03:04:05.1234567)')).toBe(638_397_614_451_234_567n);
    expect(parseDatetimeLiteral('2024-01-02T03:04Z')).toBe(638_397_614_400_000_000n);
    expect(parseDatetimeLiteral('datetime(null)')).toBeNull();
    expect(parseDatetimeLiteral('datetime(yesterday-ish)')).toBeUndefined();
  });
});

describe('literalValue', () => {
  it('should read query parameter values as the Kusto REST request carries them', () => {
    expect(literalValue('long', 'long(7)')).toBe(7n);
    expect(literalValue('long', 7)).toBe(7n);
    expect(literalValue('long', 7.5)).toBeUndefined();
    expect(literalValue('real', 'real(1.5)')).toBe(1.5);
    expect(literalValue('bool', 'bool(true)')).toBe(true);
    expect(literalValue('string', 'bob')).toBe('bob');
    expect(literalValue('datetime', 'datetime(2024-01-01)')).toBe(638_396_640_000_000_000n);
    expect(literalValue('timespan', 'timespan(1h)')).toBe(36_000_000_000n);
    expect(literalValue('timespan', 1500)).toBe(15_000_000n);
    expect(literalValue('guid', 'guid(6F1C1B2A-0000-4000-8000-000000000001)')).toBe(
      '6f1c1b2a-0000-4000-8000-000000000001',
    );
    expect(literalValue('dynamic', 'dynamic([1, 2.0])')).toBe('[1, 2.0]');
    expect(literalValue('dynamic', "dynamic({'a': 'it''s'})")).toBeUndefined();
    expect(literalValue('dynamic', "dynamic({'a': 'b'})")).toBe('{"a": "b"}');
    expect(literalValue('long', 'seven')).toBeUndefined();
  });
});
