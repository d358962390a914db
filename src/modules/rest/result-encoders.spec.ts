import { describe, expect, it } from 'vitest';
import { mapResult } from '../query/result-mapper.js';
import type { QueryResult } from '../query/function-query.service.js';
import { negotiateFormat, toCsv, toJson, toNdjson } from './result-encoders.js';

describe('negotiateFormat', () => {
  it('should honour q-values and fall back to JSON for wildcards', () => {
    expect(negotiateFormat(undefined)).toBe('json');
    expect(negotiateFormat('text/csv')).toBe('csv');
    expect(negotiateFormat('application/json;q=0.5, application/x-ndjson')).toBe('ndjson');
    expect(negotiateFormat('text/html, */*;q=0.1')).toBe('json');
    expect(negotiateFormat('image/png')).toBeUndefined();
  });
});

describe('mapResult', () => {
  it('should type raw v2 cells by their Kusto column type', () => {
    const mapped = mapResult({
      columns: [
        { name: 'At', type: 'datetime' },
        { name: 'Took', type: 'timespan' },
        { name: 'Big', type: 'long' },
        { name: 'Ratio', type: 'real' },
        { name: 'Bag', type: 'dynamic' },
        { name: 'Ok', type: 'bool' },
      ],
      rows: [['2024-05-01T10:00:00.1234567Z', '1.02:03:04', '9007199254740993', 'NaN', '{"a":[1]}', true]],
    });
    expect(mapped.rows).toEqual([
      {
        At: '2024-05-01T10:00:00.1234567Z',
        Took: '1.02:03:04',
        Big: '9007199254740993',
        Ratio: null,
        Bag: { a: [1] },
        Ok: true,
      },
    ]);
  });
});

describe('toCsv', () => {
  it('should quote fields with separators, quotes and newlines and write dynamic values as JSON', () => {
    const result = {
      rows: [{ A: 'x,"y"\nz', B: null, C: { k: 1 } }],
      meta: { columns: [{ name: 'A' }, { name: 'B' }, { name: 'C' }] },
    } as unknown as QueryResult;
    expect(toCsv(result)).toBe('A,B,C\r\n"x,""y""\nz",,"{""k"":1}"\r\n');
    expect(toNdjson(result)).toBe('{"A":"x,\\"y\\"\\nz","B":null,"C":{"k":1}}\n');
  });
  it('should neutralize free-text cells a spreadsheet would run as a formula, and leave typed values as they are', () => {
    const result = {
      rows: [
        {
          Text: '=HYPERLINK("http://x.example","click")',
          Bag: "+cmd|' /C calc'!A0",
          Amount: -5,
          Took: '-01:00:00',
        },
        { Text: '@SUM(1+1)', Bag: { k: '=1' }, Amount: -0.5, Took: null },
        { Text: '-2+3', Bag: -7, Amount: 1, Took: '00:00:01' },
        { Text: '\t=1', Bag: '\r=1', Amount: 2, Took: null },
        { Text: 'a=b', Bag: 'x-y', Amount: 3, Took: null },
      ],
      meta: {
        columns: [
          { name: 'Text', type: 'string' },
          { name: 'Bag', type: 'dynamic' },
          { name: 'Amount', type: 'real' },
          { name: 'Took', type: 'timespan' },
        ],
      },
    } as unknown as QueryResult;
    expect(toCsv(result).split('\r\n')).toEqual([
      'Text,Bag,Amount,Took',
      `"'=HYPERLINK(""http://x.example"",""click"")","'+cmd|' /C calc'!A0",-5,-01:00:00`,
      `"'@SUM(1+1)","{""k"":""=1""}",-0.5,`,
      `"'-2+3",-7,1,00:00:01`,
      `"'\t=1","'\r=1",2,`,
      'a=b,x-y,3,',
      '',
    ]);
  });
});

describe('toJson', () => {
  it('should write the same bytes as JSON.stringify({ data, meta }), also when the rows come from a reused array', () => {
    const rows = [
      { A: 'x"y', B: null, C: { k: [1, 2] } },
      { A: 'é', B: 1.5, C: null },
    ];
    const first = { rows, meta: { function: 'F', rowCount: 2, requestId: 'r-1' } } as unknown as QueryResult;
    const second = { rows, meta: { function: 'F', rowCount: 2, requestId: 'r-2' } } as unknown as QueryResult;
    expect(toJson(first)).toBe(JSON.stringify({ data: first.rows, meta: first.meta }));
    expect(toJson(second)).toBe(JSON.stringify({ data: second.rows, meta: second.meta }));
    const empty = { rows: [], meta: { rowCount: 0 } } as unknown as QueryResult;
    expect(toJson(empty)).toBe('{"data":[],"meta":{"rowCount":0}}');
  });
});
