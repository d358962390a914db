import { describe, expect, it } from 'vitest';
import {
  dateToTicks,
  formatDatetimeTicks,
  formatTimespanTicks,
  MAX_DATETIME_TICKS,
  parseDatetimeTicks,
  parseTimespanTicks,
  UNIX_EPOCH_TICKS,
} from './kusto-time.js';

describe('parseTimespanTicks', () => {
  it('should read clock and unit forms to the tick', () => {
    expect(parseTimespanTicks('-1.02:03:04.5000000')).toBe(-937_845_000_000n);
    expect(parseTimespanTicks('00:00:00.1234567')).toBe(1_234_567n);
    expect(parseTimespanTicks('00:30')).toBe(18_000_000_000n);
    expect(parseTimespanTicks('timespan(1.5h)')).toBe(54_000_000_000n);
    expect(parseTimespanTicks('250ms')).toBe(2_500_000n);
    expect(parseTimespanTicks('1tick')).toBe(1n);
    expect(parseTimespanTicks('0.1ms')).toBe(1_000n);
    expect(parseTimespanTicks('soon')).toBeUndefined();
  });
});

describe('formatTimespanTicks', () => {
  it('should print [-][d.]hh:mm:ss[.fffffff]', () => {
    expect(formatTimespanTicks(937_845_000_000n)).toBe('1.02:03:04.5000000');
    expect(formatTimespanTicks(-10_000_000n)).toBe('-00:00:01');
    expect(formatTimespanTicks(1n)).toBe('00:00:00.0000001');
  });
});

describe('parseDatetimeTicks', () => {
  it('should count ticks from 0001-01-01 with offsets, 7 digits and wrappers', () => {
    expect(parseDatetimeTicks('1970-01-01T00:00:01.0000019Z')).toBe(UNIX_EPOCH_TICKS + 10_000_019n);
    expect(parseDatetimeTicks('1970-01-01 01:00:00+01:00')).toBe(UNIX_EPOCH_TICKS);
    expect(parseDatetimeTicks('datetime(1970-01-02)')).toBe(UNIX_EPOCH_TICKS + 864_000_000_000n);
    expect(parseDatetimeTicks('0001-01-01')).toBe(0n);
    expect(parseDatetimeTicks('9999-12-31 23:59:59.9999999')).toBe(MAX_DATETIME_TICKS);
    expect(parseDatetimeTicks('2023-02-29')).toBeUndefined();
    expect(parseDatetimeTicks('2024-02-29')).toBeDefined();
  });

  it('should fall back to Date.parse for other spellings, to the millisecond', () => {
    expect(parseDatetimeTicks('Thu, 01 Jan 1970 00:00:01 GMT')).toBe(UNIX_EPOCH_TICKS + 10_000_000n);
  });
});

describe('formatDatetimeTicks', () => {
  it('should print ISO 8601 with 7 fractional digits across the whole range', () => {
    expect(formatDatetimeTicks(dateToTicks(new Date('2024-05-01T12:34:56.789Z')) + 12n)).toBe(
      '2024-05-01T12:34:56.7890012Z',
    );
    expect(formatDatetimeTicks(0n)).toBe('0001-01-01T00:00:00.0000000Z');
    expect(formatDatetimeTicks(MAX_DATETIME_TICKS)).toBe('9999-12-31T23:59:59.9999999Z');
    expect(formatDatetimeTicks(UNIX_EPOCH_TICKS - 1n)).toBe('1969-12-31T23:59:59.9999999Z');
  });

  it('should round-trip what it parses', () => {
    for (const text of [
      '2016-02-29T23:59:59.9999999Z',
      '1601-01-01T00:00:00.0000001Z',
      '2000-03-01T12:00:00.5000000Z',
    ]) {
      expect(formatDatetimeTicks(parseDatetimeTicks(text) ?? -1n)).toBe(text);
    }
  });
});
