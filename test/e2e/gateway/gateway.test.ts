import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type GatewayUnderTest } from './gateway-app.js';

const CONTOSO = JSON.stringify({ roles: ['analyst'], claims: { tid: 'contoso' } });

/** A function an analyst adds while the gateway runs (no code change): becomes a field and an endpoint. */
const PAYMENTS_BY_METHOD = `// Payments of one method above an amount, newest first.
//
// @expose roles=analyst cache=0 cost=1 maxRows=3
// @bind tenantId=claim:tid
.create-or-alter function with (docstring = 'Payments of one method above an amount', folder = 'test')
PaymentsByMethod(tenantId: string, method: string, minAmount: real = 0.0, since: datetime = datetime(2000-01-01), window: timespan = 3650d) {
    Payments
    | where TenantId == tenantId and Method == method and Amount >= minAmount
    | where OccurredAt >= since and OccurredAt >= ago(window)
    | project PaymentId, Amount, Status, OccurredAt, IsLarge = Amount > 50.0, Attempt = tolong(1)
    | order by PaymentId asc
}
`;

async function call(gw: GatewayUnderTest, path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${gw.url}${path}`, {
    ...init,
    headers: { 'x-test-principal': CONTOSO, ...(init.headers as Record<string, string>) },
  });
}

async function graphql(
  gw: GatewayUnderTest,
  query: string,
  variables?: Record<string, unknown>,
): Promise<{
  status: number;
  body: {
    data?: Record<string, unknown>;
    errors?: { message: string; extensions?: Record<string, unknown> }[];
    extensions?: Record<string, unknown>;
  };
}> {
  const response = await call(gw, '/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as never };
}

describe('gateway (catalog → GraphQL + REST over the embedded engine)', () => {
  let gw: GatewayUnderTest;

  beforeAll(async () => {
    gw = await startGateway({ watch: true });
    // The rows lie up to 5 minutes before an instant that is now, except in the first minutes of a UTC day, where it
    // is the end of the day before: they share one 1-day bin (binSize=1d below) whenever the test runs.
    const now = Date.now();
    const dayStart = now - (now % 86_400_000);
    const anchor = now - dayStart < 6 * 60_000 ? dayStart - 1 : now;
    const at = (minutesAgo: number): string => new Date(anchor - minutesAgo * 60_000).toISOString();
    await gw.kusto.command(`.ingest inline into table Payments <|
contoso,p-1,o-1,a-1,c-1,authorized,10.5,EUR,card,424242,4242,DE,d-1,203.0.113.1,DE,,,${at(5)},m-1
contoso,p-2,o-2,a-1,c-1,declined,99,EUR,card,424242,4242,DE,d-2,203.0.113.2,NL,suspected_fraud,,${at(4)},m-2
contoso,p-3,o-3,a-2,c-2,authorized,42,EUR,wallet,,,,d-3,198.51.100.7,FR,,,${at(3)},m-3
contoso,p-4,o-4,a-2,c-2,authorized,61.25,EUR,card,510000,0001,FR,d-3,198.51.100.7,FR,,,${at(2)},m-4
contoso,p-5,o-5,a-3,c-3,authorized,75,EUR,card,510000,0002,FR,d-4,198.51.100.8,FR,,,${at(2)},m-5
contoso,p-6,o-6,a-3,c-3,authorized,80,EUR,card,510000,0002,FR,d-4,198.51.100.8,FR,,,${at(1)},m-6
fabrikam,p-9,o-9,a-9,c-9,authorized,500,USD,card,400000,9999,US,d-9,192.0.2.9,US,,,${at(1)},m-9`);
  });

  afterAll(async () => {
    await gw?.close();
  });

  it('should answer REST and GraphQL with the same rows for the same call', async () => {
    const rest = (await (
      await call(gw, '/api/v1/functions/FraudScores?lookback=1h&maxAccounts=10')
    ).json()) as {
      data: Record<string, unknown>[];
      meta: Record<string, unknown>;
    };
    expect(rest.data.map((r) => r.AccountId).sort()).toEqual(['a-1', 'a-2', 'a-3']);
    const scores = rest.data.map((r) => r.RiskScore as number);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(rest.data.find((r) => r.AccountId === 'a-1')).toMatchObject({
      Attempts: 2,
      Declines: 1,
      IpCountries: 2,
    });
    const fields = Object.keys(rest.data[0]);
    const gql = await graphql(gw, `{ FraudScores(lookback: "1h", maxAccounts: 10) { ${fields.join(' ')} } }`);
    expect(gql.body.errors).toBeUndefined();
    expect(gql.body.data!.FraudScores).toEqual(rest.data);
    expect(rest.meta).toMatchObject({
      function: 'FraudScores',
      rowCount: 3,
      truncated: false,
      maxRows: 1000,
    });
  });

  it('should type the SDL from the KQL result types', async () => {
    const gql = await graphql(
      gw,
      `
        {
          __type(name: "FraudScoresRow") {
            fields {
              name
              type {
                name
              }
            }
          }
          __schema {
            queryType {
              fields {
                name
                args {
                  name
                  type {
                    kind
                    name
                    ofType {
                      name
                    }
                  }
                }
              }
            }
          }
        }
      `,
    );
    const data = gql.body.data as {
      __type: { fields: { name: string; type: { name: string } }[] };
      __schema: {
        queryType: {
          fields: {
            name: string;
            args: {
              name: string;
              type: { kind: string; name: string | null; ofType: { name: string } | null };
            }[];
          }[];
        };
      };
    };
    const types = Object.fromEntries(data.__type.fields.map((f) => [f.name, f.type.name]));
    expect(types).toMatchObject({
      AccountId: 'String',
      RiskScore: 'Float',
      Attempts: 'Long',
      FirstSeen: 'DateTime',
    });
    const fraud = data.__schema.queryType.fields.find((f) => f.name === 'FraudScores')!;
    // Claim-bound tenantId is not an argument; every other one has a default, so all are nullable.
    expect(fraud.args.map((a) => `${a.name}:${a.type.kind}:${a.type.name ?? a.type.ofType?.name}`)).toEqual([
      'lookback:SCALAR:TimeSpan',
      'velocityThreshold:SCALAR:Long',
      'zScoreThreshold:SCALAR:Float',
      'minScore:SCALAR:Float',
      'maxAccounts:SCALAR:Long',
    ]);
    const orders = data.__schema.queryType.fields.find((f) => f.name === 'CustomerOrders')!;
    expect(orders.args.find((a) => a.name === 'customerId')!.type).toMatchObject({
      kind: 'NON_NULL',
      ofType: { name: 'String' },
    });
  });

  it('should serve a new .kql function as a GraphQL field and REST endpoint without a code change', async () => {
    const before = await call(gw, '/api/v1/functions/PaymentsByMethod?method=card');
    expect(before.status).toBe(404);
    await writeFile(join(gw.kqlDir, 'functions', 'PaymentsByMethod.kql'), PAYMENTS_BY_METHOD);
    const outcome = await gw.catalog.reload();
    expect(outcome).toMatchObject({ swapped: true, rejectedFiles: [] });

    const rest = await call(gw, '/api/v1/functions/PaymentsByMethod?method=card&minAmount=50');
    expect(rest.status).toBe(200);
    const body = (await rest.json()) as { data: unknown[]; meta: { columns: unknown[] } };
    expect(body.data).toEqual([
      {
        PaymentId: 'p-2',
        Amount: 99,
        Status: 'declined',
        OccurredAt: expect.any(String),
        IsLarge: true,
        Attempt: 1,
      },
      {
        PaymentId: 'p-4',
        Amount: 61.25,
        Status: 'authorized',
        OccurredAt: expect.any(String),
        IsLarge: true,
        Attempt: 1,
      },
      {
        PaymentId: 'p-5',
        Amount: 75,
        Status: 'authorized',
        OccurredAt: expect.any(String),
        IsLarge: true,
        Attempt: 1,
      },
    ]);
    expect(body.meta).toMatchObject({ truncated: true, maxRows: 3 });
    expect(body.meta.columns).toEqual([
      { name: 'PaymentId', type: 'string' },
      { name: 'Amount', type: 'real' },
      { name: 'Status', type: 'string' },
      { name: 'OccurredAt', type: 'datetime' },
      { name: 'IsLarge', type: 'bool' },
      { name: 'Attempt', type: 'long' },
    ]);

    const gql = await graphql(
      gw,
      '{ PaymentsByMethod(method: "card", minAmount: 50) { PaymentId Amount IsLarge Attempt } }',
    );
    expect(gql.body.data).toEqual({
      PaymentsByMethod: [
        { PaymentId: 'p-2', Amount: 99, IsLarge: true, Attempt: 1 },
        { PaymentId: 'p-4', Amount: 61.25, IsLarge: true, Attempt: 1 },
        { PaymentId: 'p-5', Amount: 75, IsLarge: true, Attempt: 1 },
      ],
    });
    const sdl = await graphql(
      gw,
      '{ __type(name: "PaymentsByMethodRow") { fields { name type { name } } } }',
    );
    expect(sdl.body.data).toEqual({
      __type: {
        fields: [
          { name: 'PaymentId', type: { name: 'String' } },
          { name: 'Amount', type: { name: 'Float' } },
          { name: 'Status', type: { name: 'String' } },
          { name: 'OccurredAt', type: { name: 'DateTime' } },
          { name: 'IsLarge', type: { name: 'Boolean' } },
          { name: 'Attempt', type: { name: 'Long' } },
        ],
      },
    });
    const openapi = (await (await fetch(`${gw.url}/api/v1/openapi.json`)).json()) as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(openapi.paths)).toContain('/api/v1/functions/PaymentsByMethod');
  });

  it('should pass injection attempts as data and never put a parameter value in the query text', async () => {
    const hostile = [
      "card' or 1==1 //",
      'card" | project TenantId',
      'card; .drop table Payments',
      'card\n| union Payments',
      'cärd ✓ \u202e }{ ) ( ]',
      '") ; print x=1 //',
    ];
    gw.kusto.sent.length = 0;
    for (const method of hostile) {
      const rest = await call(gw, `/api/v1/functions/PaymentsByMethod?method=${encodeURIComponent(method)}`);
      expect(rest.status).toBe(200);
      expect(((await rest.json()) as { data: unknown[] }).data).toEqual([]);
      const post = await call(gw, '/api/v1/functions/PaymentsByMethod', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ method }),
      });
      expect(post.status).toBe(200);
      const gql = await graphql(gw, 'query($m: String!) { PaymentsByMethod(method: $m) { PaymentId } }', {
        m: method,
      });
      expect(gql.body.data).toEqual({ PaymentsByMethod: [] });
    }
    expect(gw.kusto.sent.length).toBe(hostile.length * 3);
    const texts = new Set(gw.kusto.sent.map((s) => s.csl));
    expect([...texts]).toEqual([
      'declare query_parameters(tenantId:string, method:string, minAmount:real = 0.0, since:datetime = datetime(2000-01-01), window:timespan = 3650d);\n' +
        'PaymentsByMethod(tenantId, method, minAmount, since, window)\n| take 4',
    ]);
    for (const { csl, parameters } of gw.kusto.sent) {
      expect(hostile).toContain(parameters.method);
      expect(csl).not.toContain(String(parameters.method));
      expect(parameters.tenantId).toBe('contoso');
    }
    // The rows still exist: the hostile strings were compared as data, not executed.
    const count = await call(gw, '/api/v1/functions/PaymentsByMethod?method=card');
    expect(((await count.json()) as { data: unknown[] }).data).toHaveLength(3);
  });

  it('should reject wrong types and out-of-range numbers naming each bad parameter', async () => {
    const response = await call(
      gw,
      '/api/v1/functions/FraudScores?lookback=yesterday&velocityThreshold=9223372036854775808&zScoreThreshold=1e400&colour=red',
    );
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    const problem = (await response.json()) as {
      code: string;
      parameters: { parameter: string; message: string }[];
    };
    expect(problem.code).toBe('QUERY_INVALID_PARAMETERS');
    expect(problem.parameters).toEqual([
      {
        parameter: 'colour',
        message:
          'unknown parameter; FraudScores takes lookback, velocityThreshold, zScoreThreshold, minScore, maxAccounts',
      },
      {
        parameter: 'lookback',
        message: 'must be a timespan such as 30m, 1h, 1.02:00:00 or PT1H, got "yesterday"',
      },
      {
        parameter: 'velocityThreshold',
        message:
          'must be a whole number between -9223372036854775808 and 9223372036854775807 (long), got "9223372036854775808"',
      },
      { parameter: 'zScoreThreshold', message: 'must be a finite number (real), got "1e400"' },
    ]);

    const missing = await call(gw, '/api/v1/functions/CustomerOrders');
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { parameters: unknown }).parameters).toEqual([
      { parameter: 'customerId', message: 'is required (string)' },
    ]);

    const wrongJson = await call(gw, '/api/v1/functions/FraudScores', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ maxAccounts: 'ten', minScore: true }),
    });
    expect(((await wrongJson.json()) as { parameters: unknown }).parameters).toEqual([
      { parameter: 'minScore', message: 'must be a finite number (real), got boolean true' },
      {
        parameter: 'maxAccounts',
        message:
          'must be a whole number between -9223372036854775808 and 9223372036854775807 (long), got "ten"',
      },
    ]);

    const gql = await graphql(gw, '{ FraudScores(maxAccounts: "1.5") { AccountId } }');
    expect(gql.body.errors![0].message).toContain('Long must be an integer literal or a decimal string');

    const unknown = await call(gw, '/api/v1/functions/NoSuchThing');
    expect(unknown.status).toBe(404);
    // No list of names (see function-visibility.test.ts): the caller's OpenAPI document has them.
    expect(((await unknown.json()) as { title: string }).title).toBe(
      'no function named NoSuchThing; GET /api/v1/openapi.json (with your credentials) lists the functions you may call',
    );
  });

  it('should answer CSV and NDJSON by Accept header', async () => {
    const csv = await call(gw, '/api/v1/functions/PaymentFailureRate?binSize=1d', {
      headers: { accept: 'text/csv' },
    });
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const lines = (await csv.text()).trimEnd().split('\r\n');
    expect(lines[0]).toBe('Period,Method,Attempts,Declines,FailureRate,DeclinedAmount');
    // DeclinedAmount is left out: sumif() over no matching row is 0 in ADX but null in the embedded engine.
    expect(lines.slice(1).map((l) => l.split(',').slice(1, 5).join(','))).toEqual([
      'card,5,1,0.2',
      'wallet,1,0,0',
    ]);

    const ndjson = await call(gw, '/api/v1/functions/PaymentFailureRate?binSize=1d', {
      headers: { accept: 'application/x-ndjson' },
    });
    expect(ndjson.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
    const rows = (await ndjson.text())
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.map((r) => [r.Method, r.Attempts])).toEqual([
      ['card', 5],
      ['wallet', 1],
    ]);

    const refused = await call(gw, '/api/v1/functions/PaymentFailureRate', {
      headers: { accept: 'image/png' },
    });
    expect(refused.status).toBe(406);
  });

  it('should batch identical calls in one GraphQL request and enforce depth and cost limits', async () => {
    gw.kusto.sent.length = 0;
    const gql = await graphql(
      gw,
      '{ a: PaymentFailureRate(binSize: "1d") { Method } b: PaymentFailureRate(binSize: "1d") { Attempts } c: PaymentFailureRate(binSize: "1h") { Method } }',
    );
    expect(gql.body.errors).toBeUndefined();
    expect(gw.kusto.sent).toHaveLength(2);
    expect((gql.body.extensions?.kqlgate as { calls: unknown[] }).calls).toHaveLength(3);

    const costly = Array.from({ length: 11 }, (_, i) => `f${i}: FraudScores { AccountId }`).join(' ');
    const tooCostly = await graphql(gw, `{ ${costly} }`);
    expect(tooCostly.status).toBe(400);
    expect(tooCostly.body).toEqual({
      errors: [
        {
          message:
            'query cost 55 exceeds the limit of 50 (the sum of the cost of every function field selected, plus 1 per 10 introspection fields; split the query or select fewer fields)',
          locations: [{ line: 1, column: 1 }],
          extensions: { code: 'QUERY_COST_LIMIT_EXCEEDED', cost: 55, maxCost: 50 },
        },
      ],
    });
    // A fragment costs every time it is spread.
    const spread = await graphql(
      gw,
      `query Spread { ...Five ...Five } fragment Five on Query { ${costly.split(' f6:')[0]} }`,
    );
    expect(spread.status).toBe(400);
    expect(spread.body.errors![0].extensions).toEqual({
      code: 'QUERY_COST_LIMIT_EXCEEDED',
      cost: 60,
      maxCost: 50,
    });

    const ofTypes = (n: number): string => (n === 0 ? 'name' : `ofType { ${ofTypes(n - 1)} }`);
    const deep = await graphql(gw, `{ __schema { types { fields { type { ${ofTypes(12)} } } } } }`);
    expect(deep.status).toBe(400);
    expect(deep.body).toEqual({
      errors: [
        {
          message: 'query depth 17 exceeds the limit of 15',
          locations: [{ line: 1, column: 1 }],
          extensions: { code: 'QUERY_DEPTH_LIMIT_EXCEEDED', depth: 17, maxDepth: 15 },
        },
      ],
    });
    const introspection = await graphql(gw, getIntrospectionQuery());
    expect(introspection.body.errors).toBeUndefined();
  });

  it('should report engine errors and GraphQL errors with a code', async () => {
    const gql = await graphql(gw, '{ CustomerOrders(customerId: "c-1") { OrderId } }');
    // Either the engine runs it or it reports why; never an unstructured failure.
    if (gql.body.errors) {
      expect(gql.body.errors[0].extensions).toMatchObject({
        code: 'QUERY_ENGINE_ERROR',
        status: 502,
        function: 'CustomerOrders',
      });
    } else {
      expect(gql.body.data).toEqual({ CustomerOrders: [] });
    }
  });

  it('should keep serving the last good version of a file that breaks', async () => {
    const file = join(gw.kqlDir, 'functions', 'PaymentsByMethod.kql');
    const good = await readFile(file, 'utf8');
    await writeFile(file, good.replace('Amount >= minAmount', 'Amount >= minAmount and NoSuchColumn > 0'));
    const outcome = await gw.catalog.reload();
    expect(outcome.rejectedFiles).toEqual(['functions/PaymentsByMethod.kql']);
    const still = await call(gw, '/api/v1/functions/PaymentsByMethod?method=wallet');
    expect(((await still.json()) as { data: unknown[] }).data).toEqual([
      expect.objectContaining({ PaymentId: 'p-3' }),
    ]);
    await rm(file);
    await gw.catalog.reload();
    expect((await call(gw, '/api/v1/functions/PaymentsByMethod?method=wallet')).status).toBe(404);
  });

  it('should pick up a saved file while watching, without a reload call', async () => {
    await writeFile(
      join(gw.kqlDir, 'functions', 'WalletPayments.kql'),
      PAYMENTS_BY_METHOD.replace(/PaymentsByMethod/g, 'WalletPayments').replace(
        'method: string,',
        "method: string = 'wallet',",
      ),
    );
    // The watcher debounces and re-analyzes in the background: poll (bounded) until the endpoint appears.
    let status = 404;
    for (let attempt = 0; attempt < 120 && status !== 200; attempt++) {
      await new Promise((r) => setTimeout(r, 250));
      status = (await call(gw, '/api/v1/functions/WalletPayments')).status;
    }
    expect(status).toBe(200);
    const rows = ((await (await call(gw, '/api/v1/functions/WalletPayments')).json()) as { data: unknown[] })
      .data;
    expect(rows).toEqual([expect.objectContaining({ PaymentId: 'p-3' })]);
    await rm(join(gw.kqlDir, 'functions', 'WalletPayments.kql'));
    await gw.catalog.reload();
  });

  it('should publish OpenAPI 3.1 and the offline explorer, /docs redirecting to it', async () => {
    const openapi = (await (await fetch(`${gw.url}/api/v1/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<
        string,
        { get: { parameters: { name: string; required: boolean; schema: Record<string, unknown> }[] } }
      >;
      components: { schemas: Record<string, { properties: Record<string, Record<string, unknown>> }> };
    };
    expect(openapi.openapi).toBe('3.1.0');
    expect(Object.keys(openapi.paths)).toHaveLength(gw.catalog.exposedFunctions().length);
    expect(openapi.paths['/api/v1/functions/FraudScores'].get.parameters.map((p) => p.name)).not.toContain(
      'tenantId',
    );
    // Every result column may be null (an empty cell), and the schema says so.
    expect(openapi.components.schemas.FraudScoresRow.properties.FirstSeen).toMatchObject({
      type: ['string', 'null'],
      format: 'date-time',
    });
    const docs = await fetch(`${gw.url}/docs`, { redirect: 'manual' });
    expect([docs.status, docs.headers.get('location')]).toEqual([301, '/']);
    const explorer = await fetch(`${gw.url}/`);
    expect(explorer.headers.get('content-type')).toContain('text/html');
    const html = await explorer.text();
    expect(html).toContain('/ui/assets/');
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
  });
});
