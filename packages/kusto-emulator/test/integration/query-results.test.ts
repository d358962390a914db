import { ClientRequestProperties } from 'azure-kusto-data';
import { DataFormat } from 'azure-kusto-ingest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ingestProps,
  jsonLines,
  kustoError,
  startEngineHarness,
  type EngineHarness,
} from './kusto-engine-harness.js';

describe('KustoEngine queries', () => {
  let h: EngineHarness;

  beforeAll(async () => {
    h = await startEngineHarness();
    await h.client.execute(
      'analytics',
      '.create table AllTypes (b:bool, i:int, l:long, r:real, d:decimal, s:string, dt:datetime, ts:timespan, g:guid, dyn:dynamic)',
    );
    await h.ingest.ingestFromStream(
      jsonLines([
        {
          b: true,
          i: 7,
          l: 9007199254740991,
          r: 1.5,
          d: '123.45',
          s: 'hi',
          dt: '2024-05-01T12:34:56.789Z',
          ts: '1.02:03:04.5',
          g: '6F1C1B2A-0000-4000-8000-000000000001',
          dyn: { a: [1, 2] },
        },
        { s: 'nulls' },
      ]),
      ingestProps('AllTypes', DataFormat.JSON),
    );
  });

  afterAll(async () => {
    await h.stop();
  });

  it('should return typed results for every scalar type', async () => {
    const response = await h.client.execute('analytics', 'AllTypes | order by s asc');
    const table = response.primaryResults[0];
    expect(table.columns.map((c) => [c.name, c.type])).toEqual([
      ['b', 'bool'],
      ['i', 'int'],
      ['l', 'long'],
      ['r', 'real'],
      ['d', 'decimal'],
      ['s', 'string'],
      ['dt', 'datetime'],
      ['ts', 'timespan'],
      ['g', 'guid'],
      ['dyn', 'dynamic'],
    ]);
    const rows = [...table.rows()].map((row) => row.toJSON());
    expect(rows[0]).toEqual({
      b: true,
      i: 7,
      l: 9007199254740991,
      r: 1.5,
      d: '123.45',
      s: 'hi',
      dt: new Date('2024-05-01T12:34:56.789Z'),
      ts: 93784500,
      g: '6f1c1b2a-0000-4000-8000-000000000001',
      dyn: { a: [1, 2] },
    });
    expect(rows[1]).toEqual({
      b: null,
      i: null,
      l: null,
      r: null,
      d: null,
      s: 'nulls',
      dt: null,
      ts: null,
      g: null,
      dyn: null,
    });
  });

  it('should bind declared query parameters with their types and defaults', async () => {
    const properties = new ClientRequestProperties();
    properties.setParameter('who', 'hi');
    properties.setParameter('since', 'datetime(2024-01-01)');
    const response = await h.client.execute(
      'analytics',
      'declare query_parameters(who:string, since:datetime, n:long = 5); AllTypes | where s == who and dt > since | take n | project s, i',
      properties,
    );
    expect(response.primaryResults[0].toJSON().data).toEqual([{ s: 'hi', i: 7 }]);
  });

  it('should answer v1 queries', async () => {
    const response = await h.client.executeQueryV1(
      'analytics',
      'AllTypes | where s == "hi" | project s, dyn',
    );
    expect(response.primaryResults[0].toJSON().data).toEqual([{ s: 'hi', dyn: '{"a":[1,2]}' }]);
  });

  it('should return several result tables for several statements', async () => {
    const response = await h.client.execute('analytics', 'print a = 1; print b = "x"');
    expect(response.primaryResults.map((t) => t.toJSON().data)).toEqual([[{ a: 1 }], [{ b: 'x' }]]);
  });

  it('should report syntax errors with line and column', async () => {
    const error = await kustoError(h.client.execute('analytics', 'AllTypes\n| whre s == "x"'));
    expect(error.status).toBe(400);
    expect(error.type).toBe('Kusto.Data.Exceptions.SyntaxException');
    expect(error.message).toMatch(/^Syntax error: .*\(at 2:\d+\)$/);
  });

  it('should report unknown tables as semantic errors', async () => {
    const error = await kustoError(h.client.execute('analytics', 'NoSuchTable | take 1'));
    expect(error.status).toBe(400);
    expect(error.type).toBe('Kusto.Data.Exceptions.SemanticException');
    expect(error.message).toMatch(/NoSuchTable/);
  });

  it('should truncate results past truncationmaxrecords with an in-band error', async () => {
    const properties = new ClientRequestProperties();
    properties.setOption('truncationmaxrecords', 5);
    await expect(h.client.execute('analytics', 'range x from 1 to 10 step 1', properties)).rejects.toThrow(
      'Query result set has exceeded the internal record count limit 5 (E_QUERY_RESULT_SET_TOO_LARGE',
    );
  });

  it('should cancel a query that exceeds servertimeout', async () => {
    const properties = new ClientRequestProperties();
    properties.setTimeout(300);
    const error = await kustoError(
      h.client.execute(
        'analytics',
        'range a from 1 to 60000 step 1 | extend k = 1 | join kind=inner (range b from 1 to 60000 step 1 | extend k = 1) on k | count',
        properties,
      ),
    );
    expect(error).toEqual({
      status: 504,
      code: 'General_RequestTimeout',
      type: 'Kusto.Data.Exceptions.KustoRequestTimeoutException',
      message:
        'Query execution has exceeded the allowed limits: servertimeout 00:00:00.300 elapsed and the query was cancelled.',
    });
  });

  it('should refuse a control command on the query endpoint', async () => {
    const error = await kustoError(h.client.executeQuery('analytics', '.show tables'));
    expect(error.message).toBe(
      "Control commands (starting with '.') go to the management endpoint /v1/rest/mgmt, not the query endpoint.",
    );
  });
});
