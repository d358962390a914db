import { Client as KustoClient } from 'azure-kusto-data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevSigningKeyStore } from '../../../src/modules/auth/dev-signing-key.store.js';
import { startKqlgateInstance, type KqlgateInstance } from '../../utils/kqlgate-instance.js';
import { kqlWithTestFunctions, runningQueryIds, waitUntil } from '../../utils/slow-functions.js';
import { removeDir, tempDir } from '../../utils/temp-dir.js';

/**
 * Functions that must not run away, over real HTTP and the real SDKs against the whole runtime (embedded engine,
 * catalog, gateway, security in dev mode): values outside a function's declared ranges never reach the engine, a
 * call that outlives its timeout answers 504 at the timeout and leaves the engine idle, and a caller that goes away
 * takes its engine query with it.
 */

const SQL_OR_DUCKDB = /LINE \d|CAST\(|\$\d|INT64|INT128|Binder|Conversion Error|DuckDB|SELECT /;

describe('runaway queries through the gateway', () => {
  let dir: string;
  let instance: KqlgateInstance;
  let engine: KustoClient;
  let token: string;

  beforeAll(async () => {
    dir = await tempDir('runaway');
    instance = await startKqlgateInstance({ KQL_DIR: await kqlWithTestFunctions(dir) });
    token = await new DevSigningKeyStore(instance.dataDir).sign({
      subject: 'planner',
      roles: ['analyst', 'supply-chain', 'fraud-analyst'],
      claims: { tid: 'contoso' },
    });
    engine = new KustoClient(`Data Source=${instance.config.kustoClusterUrl};Initial Catalog=analytics`);
    for (let attempt = 0; attempt < 120; attempt += 1) {
      if ((await fetch(`${instance.url}/health/ready`)).status === 200) {
        break;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  });

  afterAll(async () => {
    engine?.close();
    await instance?.stop();
    await removeDir(dir);
  });

  const call = (path: string, init: RequestInit = {}): Promise<Response> =>
    fetch(`${instance.url}/api/v1/functions/${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}` },
    });

  it('should refuse SupplyChainForecast?historyDays=100000 with a 400 naming the parameter and its range', async () => {
    const response = await call('SupplyChainForecast?historyDays=100000');
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      function: 'SupplyChainForecast',
      parameters: [{ parameter: 'historyDays', message: 'must be between 7 and 365, got "100000"' }],
      type: 'https://kqlgate.dev/problems/query-invalid-parameters',
      title:
        'invalid parameters for SupplyChainForecast: historyDays: must be between 7 and 365, got "100000"',
      status: 400,
      code: 'QUERY_INVALID_PARAMETERS',
    });
  });

  it.each([
    ['TopProducts?maxProducts=-1', 'TopProducts', 'maxProducts', 'must be between 1 and 500, got "-1"'],
    [
      'TopProducts?lookback=10675200d',
      'TopProducts',
      'lookback',
      'must be a timespan between -10675199.02:48:05.4775808 and 10675199.02:48:05.4775807, got "10675200d"',
    ],
    [
      'FraudScores?lookback=10675199d',
      'FraudScores',
      'lookback',
      'must be between 1m and 7d, got "10675199d"',
    ],
    [
      'FraudScores?zScoreThreshold=1e308',
      'FraudScores',
      'zScoreThreshold',
      'must be between 0.5 and 10, got "1e308"',
    ],
    [
      'SupplyChainForecast?horizonDays=-9223372036854775808',
      'SupplyChainForecast',
      'horizonDays',
      'must be between 1 and 90, got "-9223372036854775808"',
    ],
  ])(
    'should answer %s with a 400 naming the parameter, without SQL',
    async (path, fn, parameter, message) => {
      const response = await call(path);
      const text = await response.text();
      expect(response.status).toBe(400);
      expect(JSON.parse(text)).toEqual({
        function: fn,
        parameters: [{ parameter, message }],
        type: 'https://kqlgate.dev/problems/query-invalid-parameters',
        title: `invalid parameters for ${fn}: ${parameter}: ${message}`,
        status: 400,
        code: 'QUERY_INVALID_PARAMETERS',
      });
      expect(text).not.toMatch(SQL_OR_DUCKDB);
    },
  );

  it('should show the declared ranges in OpenAPI (which the explorer shows) and GraphQL argument descriptions', async () => {
    const openapi = (await (await fetch(`${instance.url}/api/v1/openapi.json`)).json()) as {
      paths: Record<string, { get: { parameters: { name: string; description: string; schema: object }[] } }>;
    };
    const historyDays = openapi.paths['/api/v1/functions/SupplyChainForecast'].get.parameters.find(
      (p) => p.name === 'historyDays',
    );
    expect(historyDays).toMatchObject({
      description: 'KQL type long; default 28; between 7 and 365',
      schema: { minimum: 7, maximum: 365, default: 28 },
    });
    const graphql = (await (
      await fetch(`${instance.url}/graphql`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          query: '{ __type(name: "Query") { fields { name args { name description } } } }',
        }),
      })
    ).json()) as {
      data: { __type: { fields: { name: string; args: { name: string; description: string }[] }[] } };
    };
    const args = graphql.data.__type.fields.find((f) => f.name === 'SupplyChainForecast')!.args;
    expect(args.find((a) => a.name === 'historyDays')?.description).toBe(
      'KQL long, default 28, between 7 and 365',
    );
  });

  it('should answer a call that outlives its timeout with a 504 at the timeout, and leave the engine idle', async () => {
    const started = Date.now();
    const response = await call('SlowForecast');
    const elapsed = Date.now() - started;
    const text = await response.text();
    expect(response.status).toBe(504);
    expect(JSON.parse(text)).toEqual({
      function: 'SlowForecast',
      engineCode: 'General_RequestTimeout',
      timeoutMs: 2000,
      type: 'https://kqlgate.dev/problems/query-timeout',
      title: 'SlowForecast did not finish within its timeout of 2s; the engine query was cancelled',
      status: 504,
      code: 'QUERY_TIMEOUT',
    });
    expect(text).not.toMatch(SQL_OR_DUCKDB);
    // Timeout + 1 s, with room for a loaded machine; without the engine's own answer it was timeout + 30 s.
    expect(elapsed).toBeLessThan(2_000 + 2_500);
    // The query was stopped on the engine, not just abandoned by the gateway: once DuckDB leaves the row it was
    // in, nothing runs.
    await waitUntil(
      async () => (await runningQueryIds(engine)).length === 0,
      60_000,
      'the engine was still busy',
    );
  });

  it('should cancel the engine query of a caller that goes away', async () => {
    const gone = new AbortController();
    const request = call('Endless', { signal: gone.signal }).catch((error: unknown) => error);
    await waitUntil(
      async () => (await runningQueryIds(engine)).some((id) => id.startsWith('kqlgate.Endless;')),
      30_000,
      'the engine query did not start',
    );
    gone.abort();
    expect(await request).toMatchObject({ name: 'AbortError' });
    // Its timeout is 60 s away: only the gateway's .cancel query ends it this soon.
    await waitUntil(
      async () => (await runningQueryIds(engine)).length === 0,
      15_000,
      'the engine query outlived its caller',
    );
  });

  it('should cancel the engine query of a GraphQL caller that goes away', async () => {
    const gone = new AbortController();
    const request = fetch(`${instance.url}/graphql`, {
      method: 'POST',
      signal: gone.signal,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ Endless { Count } }' }),
    }).catch((error: unknown) => error);
    await waitUntil(
      async () => (await runningQueryIds(engine)).some((id) => id.startsWith('kqlgate.Endless;')),
      30_000,
      'the engine query did not start',
    );
    gone.abort();
    expect(await request).toMatchObject({ name: 'AbortError' });
    await waitUntil(
      async () => (await runningQueryIds(engine)).length === 0,
      15_000,
      'the engine query outlived its caller',
    );
  });
});
