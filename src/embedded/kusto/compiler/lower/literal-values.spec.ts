import { describe, expect, it } from 'vitest';
import { literalValue, parseDateTimeText, parseTimespanMicros } from './literal-values.js';

describe('parseTimespanMicros', () => {
  it('should read unit suffixes, clock forms and null', () => {
    expect(parseTimespanMicros('1h')).toBe(3_600_000_000n);
    expect(parseTimespanMicros('1.5d')).toBe(129_600_000_000n);
    expect(parseTimespanMicros('30s')).toBe(30_000_000n);
    expect(parseTimespanMicros('10ms')).toBe(10_000n);
    expect(parseTimespanMicros('time(1.02:03:04.5)')).toBe(93_784_500_000n);
    expect(parseTimespanMicros('-00:30:00')).toBe(-1_800_000_000n);
    expect(parseTimespanMicros('timespan(null)')).toBeNull();
    expect(parseTimespanMicros('1fortnight')).toBeUndefined();
  });
});

describe('parseDateTimeText', () => {
  it('should keep microseconds and accept Z and T', () => {
    expect(parseDateTimeText('datetime(2024-01-02 03:04:05.1234567)')).toBe('2024-01-02 03:04:05.123456');
    expect(parseDateTimeText('2024-01-02T03:04Z')).toBe('2024-01-02 03:04:00.000000');
    expect(parseDateTimeText('datetime(null)')).toBeNull();
    expect(parseDateTimeText('datetime(yesterday-ish)')).toBeUndefined();
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
    expect(literalValue('datetime', 'datetime(2024-01-01)')).toBe('2024-01-01 00:00:00.000000');
    expect(literalValue('timespan', 'timespan(1h)')).toBe(3_600_000_000n);
    expect(literalValue('guid', 'guid(6F1C1B2A-0000-4000-8000-000000000001)')).toBe(
      '6f1c1b2a-0000-4000-8000-000000000001',
    );
    expect(literalValue('dynamic', 'dynamic([1, 2.0])')).toBe('[1, 2.0]');
    expect(literalValue('dynamic', "dynamic({'a': 'it''s'})")).toBeUndefined();
    expect(literalValue('dynamic', "dynamic({'a': 'b'})")).toBe('{"a": "b"}');
    expect(literalValue('long', 'seven')).toBeUndefined();
  });
});
