import { describe, expect, it } from 'vitest';
import {
  formatDatetimeMicros,
  formatTimespanMicros,
  parseDatetimeMicros,
  parseTimespanMicros,
} from './timespan-format.js';

describe(parseTimespanMicros.name, () => {
  it('should read clock, unit and wrapped forms', () => {
    expect(parseTimespanMicros('-1.02:03:04.5000000')).toBe(-93_784_500_000n);
    expect(parseTimespanMicros('00:30')).toBe(1_800_000_000n);
    expect(parseTimespanMicros('timespan(1.5h)')).toBe(5_400_000_000n);
    expect(parseTimespanMicros('250ms')).toBe(250_000n);
    expect(parseTimespanMicros('soon')).toBeUndefined();
  });
});

describe(formatTimespanMicros.name, () => {
  it('should write the form the SDK parses', () => {
    expect(formatTimespanMicros(93_784_500_000n)).toBe('1.02:03:04.5000000');
    expect(formatTimespanMicros(-1_000_000n)).toBe('-00:00:01');
  });
});

describe(parseDatetimeMicros.name, () => {
  it('should accept offsets, spaces and 7 fractional digits, and reject impossible dates', () => {
    expect(parseDatetimeMicros('1970-01-01T00:00:01.0000019Z')).toBe(1_000_001n);
    expect(parseDatetimeMicros('1970-01-01 01:00:00+01:00')).toBe(0n);
    expect(parseDatetimeMicros('datetime(1970-01-02)')).toBe(86_400_000_000n);
    expect(parseDatetimeMicros('2023-02-29')).toBeUndefined();
  });
});

describe(formatDatetimeMicros.name, () => {
  it('should write ISO-8601 UTC with 7 fractional digits', () => {
    expect(formatDatetimeMicros(1_714_566_896_789_012n)).toBe('2024-05-01T12:34:56.7890120Z');
  });
});
