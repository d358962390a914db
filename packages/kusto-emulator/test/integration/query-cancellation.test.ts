import { Client as KustoClient, ClientRequestProperties } from 'azure-kusto-data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kustoError, startEngineHarness, type EngineHarness } from './kusto-engine-harness.js';

/** Runs for minutes unless stopped: 10^11 rows counted, in chunks DuckDB checks for an interrupt between. */
const ENDLESS_QUERY = 'range x from 1 to 100000000000 step 1 | summarize s = sum(x % 7)';

/**
 * Seconds of work inside one row's expression, where DuckDB never checks for an interrupt: the seasonality of a
 * 5,000-point series is searched over 2,500 lags. (Before the series macros bound the period once, even 400 points
 * took minutes.)
 */
const ONE_LONG_ROW_QUERY =
  'range i from 1 to 5000 step 1 | summarize s = make_list(todouble(i % 7 + i % 3)) | extend f = series_decompose_forecast(s, 10) | project n = array_length(f)';

interface RunningQueryRow {
  ClientActivityId: string;
  State: string;
  Text: string;
}

async function runningQueries(client: KustoClient): Promise<RunningQueryRow[]> {
  const response = await client.executeMgmt('analytics', '.show running queries');
  const table = response.primaryResults[0];
  return table._rows.map(
    (row: unknown[]) =>
      Object.fromEntries(table.columns.map((c, i) => [c.name ?? '', row[i]])) as unknown as RunningQueryRow,
  );
}

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`${what} within ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function properties(clientRequestId: string, timeoutMs = 120_000): ClientRequestProperties {
  const props = new ClientRequestProperties();
  props.clientRequestId = clientRequestId;
  props.setTimeout(timeoutMs);
  return props;
}

/** `.show running queries`, `.cancel query`, servertimeout, errors without DuckDB internals, the memory limit. */
describe('KustoEngine running queries', () => {
  let h: EngineHarness;

  beforeAll(async () => {
    h = await startEngineHarness();
    // The first query loads the KQL compiler in this thread (seconds): paid here, not inside a timeout below.
    await h.client.execute('analytics', ONE_LONG_ROW_QUERY.replace('5000', '50'));
  });

  afterAll(async () => {
    await h.stop();
  });

  it('should list a running query and stop it on .cancel query with the reason', async () => {
    const running = kustoError(h.client.execute('analytics', ENDLESS_QUERY, properties('test;cancel-me')));
    const listed = await waitFor(
      async () => (await runningQueries(h.client)).find((q) => q.ClientActivityId === 'test;cancel-me'),
      10_000,
      'the query was not listed',
    );
    expect(listed).toMatchObject({ State: 'InProgress', Text: ENDLESS_QUERY });

    const cancel = await h.client.executeMgmt(
      'analytics',
      '.cancel query "test;cancel-me" with (reason = "the caller went away")',
    );
    expect(cancel.primaryResults[0]._rows).toEqual([
      ['test;cancel-me', 'Cancelled successfully', 'the caller went away'],
    ]);
    expect(await running).toEqual({
      status: 400,
      code: 'BadRequest_QueryCancelled',
      type: 'Kusto.Data.Exceptions.KustoRequestCancelledException',
      message: 'Query was cancelled by .cancel query: the caller went away (E_QUERY_CANCELLED).',
    });
    await waitFor(
      async () => ((await runningQueries(h.client)).length === 0 ? true : undefined),
      5_000,
      'the cancelled query was still running',
    );
  });

  it('should answer Cancel failed for a query that is not running', async () => {
    const cancel = await h.client.executeMgmt('analytics', '.cancel query "test;never-ran"');
    expect(cancel.primaryResults[0]._rows).toEqual([
      [
        'test;never-ran',
        'Cancel failed',
        'No running query has this ClientActivityId: it completed, or it never ran on this engine.',
      ],
    ]);
  });

  it('should answer servertimeout at the timeout even while DuckDB is inside one long row, and list it until DuckDB stops', async () => {
    const started = Date.now();
    const error = await kustoError(
      h.client.execute('analytics', ONE_LONG_ROW_QUERY, properties('test;one-long-row', 500)),
    );
    const answeredAfter = Date.now() - started;
    expect(error).toEqual({
      status: 504,
      code: 'General_RequestTimeout',
      type: 'Kusto.Data.Exceptions.KustoRequestTimeoutException',
      message:
        'Query execution has exceeded the allowed limits: servertimeout 00:00:00.500 elapsed and the query was cancelled.',
    });
    // Generous (a loaded machine): the answer must not wait for DuckDB's seconds of work in the row.
    expect(answeredAfter).toBeLessThan(3_000);
    // The work still in DuckDB is reported, and the engine is idle once it ends.
    await waitFor(
      async () => ((await runningQueries(h.client)).length === 0 ? true : undefined),
      60_000,
      'the timed-out query kept running',
    );
  });

  it('should decompose a year of daily points for 100 series well within a 30 s servertimeout', async () => {
    // Each series' seasonality was searched again for every element: minutes per series at 400 points.
    const response = await h.client.execute(
      'analytics',
      'range i from 1 to 40000 step 1 | extend g = i % 100 | summarize s = make_list(todouble(i % 7 + g % 3)) by g | extend f = series_decompose_forecast(s, 14) | summarize series = count(), points = max(array_length(f))',
      properties('test;year-of-days', 30_000),
    );
    expect(response.primaryResults[0]._rows).toEqual([[100, 400]]);
  });

  it('should answer a value DuckDB cannot take in Kusto terms, without SQL or DuckDB text', async () => {
    const withParameter = (name: string, value: string | number): ClientRequestProperties => {
      const props = new ClientRequestProperties();
      props.setParameter(name, value);
      return props;
    };
    const negativeTake = await kustoError(
      h.client.execute(
        'analytics',
        'declare query_parameters(n:long); range x from 1 to 3 step 1 | take n',
        withParameter('n', 'long(-1)'),
      ),
    );
    const overflow = await kustoError(
      h.client.execute(
        'analytics',
        'declare query_parameters(n:long); print x = n + 9223372036854775807',
        withParameter('n', 'long(1)'),
      ),
    );
    const beyondLong = await kustoError(
      h.client.execute(
        'analytics',
        'declare query_parameters(n:long); print x = n',
        withParameter('n', 'long(-9223372036854775809)'),
      ),
    );
    expect({ negativeTake, overflow, beyondLong }).toEqual({
      negativeTake: {
        status: 400,
        code: 'BadRequest_ValueOutOfRange',
        type: 'Kusto.Data.Exceptions.KustoBadRequestException',
        message:
          'Query execution failed: a row count (take, top, limit) is negative or too large. Check the values the query gets (its parameters, or the data it reads).',
      },
      overflow: {
        status: 400,
        code: 'BadRequest_ValueOutOfRange',
        type: 'Kusto.Data.Exceptions.KustoBadRequestException',
        message:
          'Query execution failed: an arithmetic result does not fit its type (overflow). Check the values the query gets (its parameters, or the data it reads).',
      },
      beyondLong: {
        status: 400,
        code: 'General_BadRequest',
        type: 'Kusto.Data.Exceptions.SemanticException',
        message:
          'Semantic error: query parameter \'n\' of type long has an invalid value "long(-9223372036854775809)" (at 1:26)',
      },
    });
    for (const body of [negativeTake, overflow, beyondLong]) {
      expect(body.message).not.toMatch(/LINE \d|CAST\(|\$\d|INT64|INT128|Binder|Conversion Error|DuckDB/);
    }
    // A real that JavaScript holds as a whole number beyond 2^63 is still a real.
    const huge = await h.client.execute(
      'analytics',
      'declare query_parameters(z:real); print z',
      withParameter('z', 'real(1e+308)'),
    );
    expect(huge.primaryResults[0]._rows).toEqual([[1e308]]);
  });
});

describe('KustoEngine memory limit and close', () => {
  let h: EngineHarness;

  beforeAll(async () => {
    h = await startEngineHarness({ memoryLimit: '16MB' });
    await h.client.execute('analytics', 'print 1');
  });

  afterAll(async () => {
    await h.stop();
  });

  it('should fail a query that needs more than the memory limit with E_LOW_MEMORY_CONDITION', async () => {
    expect(
      await kustoError(
        h.client.execute(
          'analytics',
          "range x from 1 to 300000 step 1 | summarize l = make_list(strcat('some longer value number ', x)) | project n = array_length(l)",
        ),
      ),
    ).toEqual({
      status: 400,
      code: 'LimitsExceeded',
      type: 'Kusto.Data.Exceptions.KustoServicePartialQueryFailureLimitsExceededException',
      message:
        "Query execution has exceeded the allowed limits: it needs more memory than the engine's limit of 16MB (E_LOW_MEMORY_CONDITION). Reduce the data the query reads or keeps (a shorter time range, fewer groups).",
    });
  });

  it('should stop its running queries when it closes, and close promptly', async () => {
    const running = kustoError(h.client.execute('analytics', ENDLESS_QUERY, properties('test;at-close')));
    await waitFor(
      async () => ((await runningQueries(h.client)).length > 0 ? true : undefined),
      10_000,
      'the query was not listed',
    );
    const closing = Date.now();
    await h.engine.close();
    // Generous: without the stop, close waited for the query's 120 s servertimeout.
    expect(Date.now() - closing).toBeLessThan(10_000);
    expect(await running).toEqual({
      status: 503,
      code: 'General_ServiceUnavailable',
      type: 'Kusto.Data.Exceptions.KustoServiceUnavailableException',
      message: 'The engine is shutting down; the query was stopped. Retry it once the engine is back.',
    });
    await h.restart();
  });
});
