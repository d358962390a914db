import { describe, expect, it } from 'vitest';
import {
  describeRange,
  numericBounds,
  rangeProblem,
  resolveParameterRange,
  type DeclaredRange,
} from './parameter-range.js';

const declared = (settings: Partial<Record<'min' | 'max' | 'maxLength', string>>): DeclaredRange => ({
  name: 'p',
  offset: 0,
  ...Object.fromEntries(Object.entries(settings).map(([k, text], i) => [k, { text, offset: 10 * (i + 1) }])),
});

describe('resolveParameterRange', () => {
  it('should read bounds in the literal syntax of each type', () => {
    expect(resolveParameterRange('long', declared({ min: '1', max: '365' }))).toEqual({
      range: {
        min: { kind: 'long', text: '1', value: '1' },
        max: { kind: 'long', text: '365', value: '365' },
      },
      problems: [],
    });
    expect(resolveParameterRange('real', declared({ min: '0.5', max: '1e3' })).range).toEqual({
      min: { kind: 'number', text: '0.5', value: 0.5 },
      max: { kind: 'number', text: '1e3', value: 1000 },
    });
    expect(resolveParameterRange('timespan', declared({ min: '1m', max: '30d' })).range).toEqual({
      min: { kind: 'timespan', text: '1m', ticks: '600000000' },
      max: { kind: 'timespan', text: '30d', ticks: '25920000000000' },
    });
    expect(resolveParameterRange('datetime', declared({ min: '2020-01-01', max: 'now+1h' })).range).toEqual({
      min: { kind: 'datetime', text: '2020-01-01', ticks: '637134336000000000' },
      max: { kind: 'now', text: 'now+1h', offsetTicks: '36000000000' },
    });
    expect(resolveParameterRange('string', declared({ maxLength: '64' })).range).toEqual({ maxLength: 64 });
  });

  it('should name the setting that does not fit the type, at its offset', () => {
    expect(resolveParameterRange('int', declared({ min: '1.5', max: '3000000000' })).problems).toEqual([
      { offset: 10, message: '@param p min=1.5 must be a whole number for a int parameter' },
      { offset: 20, message: '@param p max=3000000000 is outside the int range' },
    ]);
    expect(resolveParameterRange('timespan', declared({ max: '10675200d' })).problems).toEqual([
      { offset: 10, message: '@param p max=10675200d is outside the timespan range' },
    ]);
    expect(resolveParameterRange('string', declared({ min: 'a', maxLength: '5000' })).problems).toEqual([
      {
        offset: 10,
        message:
          '@param p min=a min/max apply to numbers, timespans and datetimes, not to a string parameter',
      },
      { offset: 20, message: "@param p maxLength must be a whole number between 1 and 4096; found '5000'" },
    ]);
    expect(resolveParameterRange('long', declared({ maxLength: '5' })).problems).toEqual([
      { offset: 10, message: '@param p maxLength applies to string parameters, not to a long' },
    ]);
    expect(resolveParameterRange('datetime', declared({ min: 'now-soon' })).problems).toEqual([
      {
        offset: 10,
        message: '@param p min=now-soon must be now, now-<timespan> or now+<timespan>, e.g. now-90d',
      },
    ]);
  });

  it('should refuse a minimum above the maximum', () => {
    expect(resolveParameterRange('long', declared({ min: '10', max: '1' })).problems).toEqual([
      { offset: 10, message: '@param p min=10 is greater than max=1' },
    ]);
  });
});

describe('rangeProblem', () => {
  const now = new Date('2024-06-01T00:00:00Z');
  const range = (type: Parameters<typeof resolveParameterRange>[0], s: Parameters<typeof declared>[0]) =>
    resolveParameterRange(type, declared(s)).range!;

  it('should accept the bounds themselves and refuse what lies outside', () => {
    const days = range('long', { min: '1', max: '365' });
    expect(rangeProblem('long', days, '1', '"1"', now)).toBeUndefined();
    expect(rangeProblem('long', days, '365', '"365"', now)).toBeUndefined();
    expect(rangeProblem('long', days, '100000', '"100000"', now)).toBe(
      'must be between 1 and 365, got "100000"',
    );
    expect(rangeProblem('long', days, '-9223372036854775808', 'x', now)).toBe(
      'must be between 1 and 365, got x',
    );
  });

  it('should compare timespans and datetimes by ticks, relative bounds at the call time', () => {
    const lookback = range('timespan', { min: '1m', max: '7d' });
    expect(rangeProblem('timespan', lookback, '7.00:00:00', '"7d"', now)).toBeUndefined();
    expect(rangeProblem('timespan', lookback, '7.00:00:00.0000001', '"7d"', now)).toBe(
      'must be between 1m and 7d, got "7d"',
    );
    const since = range('datetime', { min: 'now-90d' });
    expect(rangeProblem('datetime', since, '2024-03-03T00:00:00.000Z', 'a', now)).toBeUndefined();
    expect(rangeProblem('datetime', since, '2024-03-02T23:59:59.9999999Z', 'b', now)).toBe(
      'must be at least now-90d, got b',
    );
  });

  it('should cap the length of a string', () => {
    expect(rangeProblem('string', range('string', { maxLength: '3' }), 'abcd', '"abcd"', now)).toBe(
      'must be at most 3 characters, got 4',
    );
  });
});

describe('describeRange', () => {
  it('should read like the header', () => {
    const declaredRange = resolveParameterRange('real', declared({ max: '10' })).range!;
    expect(describeRange(declaredRange)).toBe('at most 10');
    expect(numericBounds(declaredRange)).toEqual({ maximum: 10 });
    expect(describeRange({ maxLength: 64 })).toBe('at most 64 characters');
  });
});
