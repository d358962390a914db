import { describe, expect, it } from 'vitest';
import type { CatalogFunction } from '../catalog/catalog.types.js';
import { bindParameters, encode } from './parameter-binder.js';
import { QueryError } from './query-error.js';
import { functionQueryText } from './query-text.js';

const fn = {
  name: 'F',
  parameters: [
    { name: 'tenantId', type: 'string', required: false, binding: { claim: 'tid' } },
    { name: 'since', type: 'datetime', required: true },
    { name: 'window', type: 'timespan', required: false, defaultText: '1h' },
    { name: 'n', type: 'long', required: false, defaultText: '10' },
  ],
} as unknown as CatalogFunction;

describe('bindParameters', () => {
  it('should encode every supplied value as a typed Kusto literal', () => {
    expect(
      bindParameters(fn, { tenantId: "x' | take 1", since: '2024-05-01', window: '90m', n: '42' }),
    ).toEqual([
      { name: 'tenantId', type: 'string', value: "x' | take 1", wire: "x' | take 1" },
      {
        name: 'since',
        type: 'datetime',
        value: '2024-05-01T00:00:00.000Z',
        wire: 'datetime(2024-05-01T00:00:00.000Z)',
      },
      { name: 'window', type: 'timespan', value: '01:30:00', wire: 'timespan(01:30:00)' },
      { name: 'n', type: 'long', value: '42', wire: 'long(42)' },
    ]);
  });

  it('should name each bad parameter in one error', () => {
    let error: QueryError | undefined;
    try {
      bindParameters(fn, { since: 'now()', n: 1.5, extra: 1 });
    } catch (e) {
      error = e as QueryError;
    }
    expect(error?.details.parameters).toEqual([
      { parameter: 'extra', message: 'unknown parameter; F takes since, window, n' },
      {
        parameter: 'tenantId',
        message: 'is taken from the caller\'s "tid" claim, which the credential does not carry',
      },
      {
        parameter: 'since',
        message: 'must be an ISO-8601 date or date-time such as 2024-05-01T10:00:00Z, got "now()"',
      },
      {
        parameter: 'n',
        message:
          'must be a whole number between -9223372036854775808 and 9223372036854775807 (long), got number 1.5',
      },
    ]);
  });
});

describe('bindParameters with ranges', () => {
  const ranged = {
    name: 'R',
    parameters: [
      {
        name: 'days',
        type: 'long',
        required: false,
        defaultText: '28',
        range: {
          min: { kind: 'long', text: '1', value: '1' },
          max: { kind: 'long', text: '365', value: '365' },
        },
      },
      {
        name: 'window',
        type: 'timespan',
        required: false,
        defaultText: '1h',
        range: { max: { kind: 'timespan', text: '7d', ticks: '6048000000000' } },
      },
      { name: 'sku', type: 'string', required: false, defaultText: "''", range: { maxLength: 4 } },
    ],
  } as unknown as CatalogFunction;

  it('should name each parameter outside its declared range, with the range', () => {
    let error: QueryError | undefined;
    try {
      bindParameters(ranged, { days: '100000', window: '8d', sku: 'abcde' });
    } catch (e) {
      error = e as QueryError;
    }
    expect(error?.message).toBe(
      'invalid parameters for R: days: must be between 1 and 365, got "100000"; window: must be at most 7d, got "8d"; sku: must be at most 4 characters, got 5',
    );
  });

  it('should accept the bounds', () => {
    expect(bindParameters(ranged, { days: 365, window: '7d', sku: 'abcd' }).map((p) => p.value)).toEqual([
      '365',
      '7.00:00:00',
      'abcd',
    ]);
  });
});

describe('encode', () => {
  it("should refuse a timespan or datetime outside Kusto's range", () => {
    expect(encode('timespan', '10675200d')).toEqual({
      problem:
        'must be a timespan between -10675199.02:48:05.4775808 and 10675199.02:48:05.4775807, got "10675200d"',
    });
    expect(encode('timespan', '10675199d')).toEqual({
      value: '10675199.00:00:00',
      wire: 'timespan(10675199.00:00:00)',
    });
    expect(encode('datetime', '0000-12-31')).toEqual({
      problem: 'must be a datetime between 0001-01-01 and 9999-12-31, got "0000-12-31"',
    });
  });

  it('should reject values that could be read as anything but a literal of the type', () => {
    expect(encode('guid', '00000000-0000-0000-0000-000000000000) | take 1')).toHaveProperty('problem');
    expect(encode('real', '1); drop')).toHaveProperty('problem');
    expect(encode('timespan', '1h) | take 1')).toHaveProperty('problem');
    expect(encode('int', '2147483648')).toHaveProperty('problem');
    expect(encode('dynamic', '{"a":[1,2]}')).toEqual({ value: { a: [1, 2] }, wire: 'dynamic({"a":[1,2]})' });
    expect(encode('bool', 'true')).toEqual({ value: true, wire: true });
  });
});

describe('functionQueryText', () => {
  it('should declare every parameter with its own default and call the function by name', () => {
    expect(
      functionQueryText(
        {
          ...fn,
          parameters: fn.parameters.map((p) => ({ ...p })),
        },
        100,
      ),
    ).toBe(
      'declare query_parameters(tenantId:string, since:datetime, window:timespan = 1h, n:long = 10);\n' +
        'F(tenantId, since, window, n)\n| take 101',
    );
  });
});
