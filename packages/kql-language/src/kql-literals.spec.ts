import { describe, expect, it } from 'vitest';
import { literalValue, parseDatetime } from './kql-literals.js';

describe('parseDatetime', () => {
  it('should print dates and times as ISO 8601 UTC with milliseconds', () => {
    expect(parseDatetime('2024-05-01')).toBe('2024-05-01T00:00:00.000Z');
    expect(parseDatetime('datetime(2024-05-01 10:30)')).toBe('2024-05-01T10:30:00.000Z');
    expect(parseDatetime('2024-05-01T12:00:00.5+02:00')).toBe('2024-05-01T10:00:00.500Z');
  });

  it('should keep the digits past the millisecond, up to 100 ns ticks, in any zone', () => {
    expect(parseDatetime('2024-05-01T00:00:00.1234567Z')).toBe('2024-05-01T00:00:00.1234567Z');
    expect(parseDatetime('2024-05-01T00:00:00.1234Z')).toBe('2024-05-01T00:00:00.1234000Z');
    expect(parseDatetime('2024-05-01T02:00:00.0000001+02:00')).toBe('2024-05-01T00:00:00.0000001Z');
    expect(parseDatetime('2024-05-01T00:00:00.1230000Z')).toBe('2024-05-01T00:00:00.123Z');
  });

  it('should refuse what is not a datetime', () => {
    expect(parseDatetime('yesterday')).toBeUndefined();
    expect(parseDatetime('2024-13-45')).toBeUndefined();
    expect(parseDatetime('2024-05-01T00:00:00.12345678Z')).toBeUndefined();
  });

  it('should give the same value for a datetime default in a function signature', () => {
    expect(literalValue('datetime', 'datetime(2024-05-01 00:00:00.0000005)')).toBe(
      '2024-05-01T00:00:00.0000005Z',
    );
  });
});
