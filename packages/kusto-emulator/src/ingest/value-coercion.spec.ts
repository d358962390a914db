import { describe, expect, it } from 'vitest';
import { coerceValue } from './value-coercion.js';

describe(coerceValue.name, () => {
  it('should turn values that do not convert into null instead of failing', () => {
    expect(coerceValue('abc', 'long', 'text')).toBeNull();
    expect(coerceValue('2024-13-40', 'datetime', 'json')).toBeNull();
    expect(coerceValue('not-a-guid', 'guid', 'json')).toBeNull();
    expect(coerceValue(3_000_000_000, 'int', 'json')).toBeNull();
    expect(coerceValue({ a: 1 }, 'real', 'json')).toBeNull();
    expect(coerceValue('', 'long', 'text')).toBeNull();
  });

  it('should convert like ADX ingestion', () => {
    expect(coerceValue('TRUE', 'bool', 'text')).toBe('true');
    expect(coerceValue(0, 'bool', 'json')).toBe('false');
    expect(coerceValue('9223372036854775807', 'long', 'text')).toBe('9223372036854775807');
    expect(coerceValue(7.9, 'int', 'json')).toBe('7');
    expect(coerceValue('1e3', 'real', 'text')).toBe('1e3');
    expect(coerceValue(12.5, 'string', 'json')).toBe('12.5');
    expect(coerceValue({ a: [1] }, 'string', 'json')).toBe('{"a":[1]}');
    expect(coerceValue('{"a":1}', 'dynamic', 'text')).toBe('{"a":1}');
    expect(coerceValue('plain', 'dynamic', 'text')).toBe('"plain"');
    expect(coerceValue('{"a":1}', 'dynamic', 'json')).toBe('"{\\"a\\":1}"');
    expect(coerceValue('{6F1C1B2A-0000-4000-8000-000000000001}', 'guid', 'text')).toBe(
      '6f1c1b2a-0000-4000-8000-000000000001',
    );
  });

  it('should carry datetimes and timespans as 100 ns ticks, datetimes from 0001-01-01', () => {
    expect(coerceValue('2024-05-01T12:34:56.7890123Z', 'datetime', 'json')).toBe('638501636967890123');
    expect(coerceValue('2024-05-01 14:34:56+02:00', 'datetime', 'text')).toBe('638501636960000000');
    expect(coerceValue('0001-01-01', 'datetime', 'text')).toBe('0');
    expect(coerceValue('1.02:03:04.5', 'timespan', 'text')).toBe('937845000000');
    expect(coerceValue('00:00:00.0000001', 'timespan', 'text')).toBe('1');
    expect(coerceValue('90m', 'timespan', 'text')).toBe('54000000000');
    expect(coerceValue(10_000_000, 'timespan', 'json')).toBe('10000000');
  });
});
