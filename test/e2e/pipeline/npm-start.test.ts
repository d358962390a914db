/**
 * The main job end to end, the way a newcomer runs it: `node dist/src/main.js` (what `npm start` runs after its
 * build step) as a child process with a free port and a temp DATA_DIR — embedded broker and engine, deployment of
 * kql/, ingestion, gateway and demo producer. The test reads the banner, calls every sample function over REST and
 * GraphQL with the banner's dev token, reconciles what the demo published with the operational store (written by the
 * demo's operational consumer) and the analytics store,
 * then stops the process with SIGINT (Ctrl-C) and checks that a restart resumes with the data kept.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { reconcile, type ReconcileReport } from '@kqlgate/demo-shop';
import { KustoConnectionStringBuilder } from 'azure-kusto-data';
// The demo's SQLite driver: a dependency of @kqlgate/demo-shop, not of the app.
import { DatabaseSync } from '@photostructure/sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRouteTable } from '../../../src/ingestion/route-table-loader.js';
import { ensureBuilt, repoRoot } from '../../utils/ensure-built.js';
import { freePort } from '../../utils/free-port.js';
import { removeDir, tempDir } from '../../utils/temp-dir.js';

interface Started {
  child: ChildProcess;
  exited: Promise<number | null>;
  output: () => string;
  url: string;
  token: string;
}

type Row = Record<string, unknown>;

/** How long after publishing an event must be queryable for the reconciliation to call it landed. */
const SETTLE_MS = 60_000;

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) {
        return value;
      }
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe('npm start: the whole near real-time pipeline', () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let kustoUrl: string;
  let running: Started | undefined;

  async function start(): Promise<Started> {
    const child = spawn(process.execPath, [join(repoRoot, 'dist', 'src', 'main.js')], {
      cwd: repoRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const token = await until('the banner with a dev token', 180_000, () => {
      if (child.exitCode !== null) {
        throw new Error(`kqlgate exited with ${child.exitCode}:\n${output.slice(-3000)}`);
      }
      return Promise.resolve(/export TOKEN=(\S+)/.exec(output)?.[1]);
    });
    const url = /gateway\s+(http:\/\/\S+)/.exec(output)?.[1] ?? '';
    await until('readiness', 60_000, async () =>
      (await fetch(`${url}/health/ready`)).ok ? true : undefined,
    );
    return { child, exited, output: () => output, url, token };
  }

  async function stop(started: Started): Promise<number | null> {
    started.child.kill('SIGINT');
    return started.exited;
  }

  function auth(started: Started): Record<string, string> {
    return { authorization: `Bearer ${started.token}` };
  }

  async function rest(started: Started, name: string, params: Record<string, string> = {}): Promise<Row[]> {
    const query = new URLSearchParams(params).toString();
    const response = await fetch(`${started.url}/api/v1/functions/${name}${query ? `?${query}` : ''}`, {
      headers: auth(started),
    });
    const body = (await response.json()) as { data: Row[] };
    expect(response.status, `${name}: ${JSON.stringify(body).slice(0, 500)}`).toBe(200);
    return body.data;
  }

  async function graphql(started: Started, query: string): Promise<Record<string, Row[]>> {
    const response = await fetch(`${started.url}/graphql`, {
      method: 'POST',
      headers: { ...auth(started), 'content-type': 'application/json' },
      body: JSON.stringify({ query }),
    });
    const body = (await response.json()) as { data?: Record<string, Row[]>; errors?: unknown[] };
    expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
    expect(response.status).toBe(200);
    return body.data ?? {};
  }

  function countPlacedOrders(): number {
    const oltp = new DatabaseSync(join(dataDir, 'demo', 'oltp.sqlite'), { readOnly: true });
    try {
      const row = oltp
        .prepare(
          "SELECT count(*) AS n FROM outbox WHERE event_type = 'order.placed' AND tenant_id = 'contoso' AND sent_at IS NOT NULL",
        )
        .get() as { n: number };
      return row.n;
    } finally {
      oltp.close();
    }
  }

  function reconcileNow(): Promise<ReconcileReport> {
    const routesFile = join(repoRoot, 'kql', 'ingestion-routes.json');
    return reconcile({
      dataDir,
      clusterUrl: kustoUrl,
      kusto: new KustoConnectionStringBuilder(kustoUrl),
      database: 'analytics',
      routes: loadRouteTable(routesFile).routes,
      routesSource: routesFile,
      settleMs: SETTLE_MS,
    });
  }

  /**
   * With live traffic the newest events are always on their way; everything published more than SETTLE_MS ago
   * must have landed (status match or in-flight), and nothing may be counted twice or go missing.
   */
  function caughtUp(report: ReconcileReport): boolean {
    return report.rows.every((row) => row.status === 'match' || row.status === 'in-flight');
  }

  beforeAll(async () => {
    await ensureBuilt();
    dataDir = await tempDir('npm-start');
    const kustoPort = await freePort();
    kustoUrl = `http://127.0.0.1:${kustoPort}`;
    env = {
      PATH: process.env.PATH,
      PORT: String(await freePort()),
      KUSTO_EMBEDDED_PORT: String(kustoPort),
      SERVICEBUS_EMBEDDED_PORT: String(await freePort()),
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      // The demo registers 100 × DEMO_RATE customers (at least 300) before its history: at 20 events/s that was
      // 2,000 customers and 3,000 accounts, 5,000 of the 9,000 events the pipeline had to ingest before the
      // assertions could see the history caught up (and the Ctrl-C drain had to settle). At 5 events/s the shop
      // starts with 500 customers; the history (DEMO_BACKFILL_EVENTS) and live traffic are the same kinds of event.
      DEMO_RATE: '5',
      DEMO_SEED: '7',
      DEMO_BACKFILL_DAYS: '2',
      DEMO_BACKFILL_EVENTS: '3000',
    };
    running = await start();
  });

  afterAll(async () => {
    if (running && running.child.exitCode === null) {
      running.child.kill('SIGKILL');
      await running.exited;
    }
    await removeDir(dataDir);
  });

  it('should print a banner whose three example calls answer with data', { timeout: 200_000 }, async () => {
    const started = running!;
    const calls = started
      .output()
      .split('\n')
      .filter((line) => line.trim().startsWith('curl -s'));
    expect(calls).toHaveLength(3);
    const endpoint = /'(http:\/\/\S+\/api\/v1\/functions\/\S+)'$/.exec(calls[0])?.[1] ?? '';
    const name = /functions\/(\w+)/.exec(endpoint)?.[1] ?? '';
    expect(name).not.toBe('');
    const params = Object.fromEntries(new URL(endpoint).searchParams);
    // The demo's history and live events reach the function's window within seconds; poll until rows show up.
    const rows = await until(`rows from ${endpoint}`, 150_000, async () => {
      const data = await rest(started, name, params);
      return data.length > 0 ? data : undefined;
    });
    expect(rows.length).toBeGreaterThan(0);
    // A later call shows fresher data (once the function's cache TTL has passed, new events are counted).
    const first = JSON.stringify(rows);
    await until('fresher data from a later call', 120_000, async () => {
      const later = JSON.stringify(await rest(started, name, params));
      return later !== first ? later : undefined;
    });
    const csv = await fetch(endpoint, {
      headers: { ...auth(started), accept: 'text/csv' },
    });
    expect(csv.status).toBe(200);
    expect((await csv.text()).split('\n').filter(Boolean).length).toBeGreaterThan(1);
    const query = /-d '(.*)'$/.exec(calls[2])?.[1] ?? '';
    const gql = await graphql(started, (JSON.parse(query) as { query: string }).query);
    expect(gql[name].length).toBeGreaterThan(0);
  });

  it('should log one JSON line per request with its request id and no parameter values', async () => {
    const started = running!;
    const requestId = 'npm-start-log-check.1';
    const response = await fetch(
      `${started.url}/api/v1/functions/NoSuchFunction?accountId=secret-account-77`,
      {
        headers: { ...auth(started), 'x-request-id': requestId },
      },
    );
    expect(response.status).toBe(404);
    expect(response.headers.get('x-request-id')).toBe(requestId);
    // LOG_LEVEL=warn here: the 404 is logged (4xx → warn), successful calls are not.
    const line = await until('the request line on stdout', 10_000, () =>
      Promise.resolve(
        started
          .output()
          .split('\n')
          .find((l) => l.includes(`"reqId":"${requestId}"`)),
      ),
    );
    expect(JSON.parse(line)).toMatchObject({
      level: 40,
      reqId: requestId,
      method: 'GET',
      route: '/api/v1/functions/:name',
      path: '/api/v1/functions/NoSuchFunction',
      statusCode: 404,
    });
    expect(started.output()).not.toContain('secret-account-77');
  });

  it(
    'should land every published event in the operational store and in the analytics store exactly once',
    { timeout: 300_000 },
    async () => {
      const report = await until(
        'published, operational and analytics counts to reconcile',
        240_000,
        async () => {
          const r = await reconcileNow();
          return caughtUp(r) ? r : undefined;
        },
      );
      const total = report.rows.reduce((sum, row) => sum + row.published, 0);
      expect(total).toBeGreaterThan(3000);
      for (const row of report.rows) {
        // Never more distinct events than were published; never fewer than were published SETTLE_MS ago.
        for (const side of ['operational', 'analytics'] as const) {
          expect(row[side], `${row.eventType} in the ${side} store`).toBeLessThanOrEqual(row.published);
          expect(row[side], `${row.eventType} in the ${side} store`).toBeGreaterThanOrEqual(
            row.published - row.inFlight,
          );
        }
      }
    },
  );

  it('should answer every sample function the same over REST and GraphQL', { timeout: 200_000 }, async () => {
    const started = running!;
    const openapi = (await (await fetch(`${started.url}/api/v1/openapi.json`)).json()) as {
      paths: Record<string, unknown>;
    };
    const names = Object.keys(openapi.paths)
      .map((path) => /^\/api\/v1\/functions\/(\w+)$/.exec(path)?.[1])
      .filter((n): n is string => Boolean(n));
    expect(names).toEqual(
      expect.arrayContaining(['FraudScores', 'CampaignKpis', 'SupplyChainForecast', 'OrderThroughput']),
    );
    const oltp = new DatabaseSync(join(dataDir, 'demo', 'oltp.sqlite'), { readOnly: true });
    const customer = oltp
      .prepare(
        "SELECT json_extract(body, '$.data.customerId') AS id FROM outbox WHERE event_type = 'order.placed' AND tenant_id = 'contoso' AND sent_at IS NOT NULL LIMIT 1",
      )
      .get() as { id: string } | undefined;
    oltp.close();

    const argsFor = (name: string): Record<string, string> =>
      name === 'CustomerOrders' ? { customerId: customer?.id ?? '' } : {};
    // All functions at once, as a dashboard loads its panels: each comparison is independent of the others.
    const compare = async (name: string): Promise<void> => {
      const args = argsFor(name);
      const gqlArgs = Object.entries(args)
        .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
        .join(', ');
      // Live ingestion keeps changing the data (and invalidating the cache) between two calls, so compare a
      // REST call with a GraphQL call made right after it, retrying until no batch landed in between.
      const same = await until(`REST and GraphQL to agree on ${name}`, 60_000, async () => {
        const restRows = await rest(started, name, args);
        const columns = Object.keys(restRows[0] ?? {});
        if (columns.length === 0) {
          return { rest: 0, graphql: 0 };
        }
        const data = await graphql(
          started,
          `{ ${name}${gqlArgs ? `(${gqlArgs})` : ''} { ${columns.join(' ')} } }`,
        );
        return data[name].length === restRows.length
          ? { rest: restRows.length, graphql: data[name].length }
          : undefined;
      });
      expect(same.graphql, name).toBe(same.rest);
    };
    await Promise.all(names.map(compare));

    // The orders the shop placed (its OLTP store) are the orders the API counts (analytics path). Live
    // traffic keeps adding orders, so the API's count must lie between two snapshots of the store taken before
    // and after it — once ingestion has caught up with the first.
    const placedBefore = countPlacedOrders();
    const apiPlaced = await until('the API to count every order placed so far', 120_000, async () => {
      const throughput = await rest(started, 'OrderThroughput', { lookback: '30d', binSize: '1d' });
      const n = throughput.reduce((sum, row) => sum + Number(row.Placed), 0);
      return n >= placedBefore ? n : undefined;
    });
    expect(apiPlaced).toBeLessThanOrEqual(countPlacedOrders());
    expect(customer).toBeDefined();
    expect((await rest(started, 'CustomerOrders', { customerId: customer!.id })).length).toBeGreaterThan(0);
  });

  it('should stop cleanly on Ctrl-C and resume with the data kept', { timeout: 400_000 }, async () => {
    const before = await reconcileNow();
    const beforeTotal = before.rows.reduce((sum, row) => sum + row.analytics, 0);
    expect(await stop(running!)).toBe(0);
    running = await start();
    const after = await until('the restarted pipeline to catch up', 240_000, async () => {
      const r = await reconcileNow();
      return caughtUp(r) ? r : undefined;
    });
    const afterTotal = after.rows.reduce((sum, row) => sum + row.analytics, 0);
    expect(afterTotal).toBeGreaterThanOrEqual(beforeTotal);
    expect(await stop(running)).toBe(0);
  });
});
