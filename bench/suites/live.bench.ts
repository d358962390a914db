/**
 * Live results over SSE (`GET /api/v1/functions/{Name}/stream`) and GraphQL subscriptions (graphql-ws), measured in
 * the same run. Goals: commit → subscriber receives p99 ≤ 100 ms at 100
 * commits/s on the embedded stack; 1,000 idle subscriptions cost ≤ 50 MB of the app's RSS.
 *
 * What is measured, and how:
 * - latency: the whole runtime in this process (startBenchInstance, embedded engine and broker). A commit is the
 *   notification the ingestion pipeline sends once rows are stored (IngestionEvents.emit), paced at 100/s; the
 *   engine write before it is not part of the path measured (the embedded engine's `.ingest inline` does not
 *   sustain 100/s on a loaded machine). The function's result carries `now()`, so every re-run is a change and
 *   is pushed. Commit k counts as received with the first result whose run started after it (receive time minus
 *   the `meta.durationMs` of that run; for GraphQL, which carries rows only, the run's `RunAt`). One SSE and one
 *   graphql-ws subscriber read in this process, sharing the app's event loop, so the figures are pessimistic;
 * - memory: the app as `npm start` runs it (node dist/src/main.js, a child process); its VmRSS before and after
 *   1,000 SSE streams are opened from this process and left idle (their first result read, nothing else), then
 *   again after 1,000 graphql-ws subscriptions, each on its own connection as each SSE stream is.
 */
import 'reflect-metadata';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { BenchContext, BenchRow, BenchSuite } from '../bench-types.js';
import { startBenchInstance } from '../bench-instance.js';
import { startKqlgateProcess } from '../kqlgate-process.js';
import { repoKqlDir } from '../repo-kql-dir.js';
import { IngestionEvents } from '../../src/ingestion/ingestion-events.js';
import { DevSigningKeyStore } from '../../src/modules/auth/dev-signing-key.store.js';

const COMMITS_PER_SECOND = 100;
const IDLE_SUBSCRIPTIONS = 1000;

const FUNCTION_KQL = `// Bench: how many orders the caller's tenant has, pushed live after every commit.
//
// @expose roles=analyst live=0
// @bind tenantId=claim:tid
.create-or-alter function with (docstring = 'Order count of the caller tenant', folder = 'bench')
BenchLiveCount(tenantId: string) {
    Orders
    | where TenantId == tenantId
    | summarize Orders = count()
    | extend RunAt = now()
}
`;

async function benchKqlDir(scratch: string): Promise<string> {
  const kqlDir = join(scratch, 'kql');
  await cp(repoKqlDir(), kqlDir, { recursive: true });
  await writeFile(join(kqlDir, 'functions', 'BenchLiveCount.kql'), FUNCTION_KQL);
  return kqlDir;
}

const SUBSCRIPTION = 'subscription { BenchLiveCount { Orders RunAt } }';

/**
 * Opens a graphql-ws connection with one subscription of BenchLiveCount; resolves once its first result arrived.
 * `onResult` gets the wall-clock time the run started (its `RunAt`).
 */
function openSubscription(
  url: string,
  token: string,
  onResult?: (runStartedMs: number) => void,
): Promise<Client> {
  const client = createClient({
    url,
    webSocketImpl: WebSocket,
    connectionParams: { Authorization: `Bearer ${token}` },
    retryAttempts: 0,
  });
  return new Promise((resolve, reject) => {
    let first = true;
    client.subscribe<{ BenchLiveCount: { RunAt: string }[] }>(
      { query: SUBSCRIPTION },
      {
        next: (result) => {
          const runAt = result.data?.BenchLiveCount[0]?.RunAt;
          onResult?.(runAt === undefined ? Date.now() : Date.parse(runAt));
          if (first) {
            first = false;
            resolve(client);
          }
        },
        error: (error: unknown) =>
          reject(new Error(`live bench: subscription failed: ${JSON.stringify(error)}`)),
        complete: () => undefined,
      },
    );
  });
}

/** Latencies of one subscriber: commit k counts as received with the first result whose run started after it. */
class ReceiveClock {
  readonly latencies: number[] = [];
  private received = 0;

  constructor(private readonly committedAt: readonly number[]) {}

  get count(): number {
    return this.received;
  }

  result(runStartedMs: number): void {
    const now = Date.now();
    for (; this.received < this.committedAt.length && this.committedAt[this.received] < runStartedMs;) {
      this.latencies.push(now - this.committedAt[this.received]);
      this.received += 1;
    }
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Reads an SSE body and calls `onResult` with the `meta.durationMs` of every result. */
function readResults(response: IncomingMessage, onResult: (durationMs: number) => void): void {
  let buffer = '';
  response.setEncoding('utf8');
  response.on('data', (chunk: string) => {
    buffer += chunk;
    for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block.split('\n').find((line) => line.startsWith('data: '));
      if (block.includes('event: result') && data) {
        const body = JSON.parse(data.slice(6)) as { meta: { durationMs: number } };
        onResult(body.meta.durationMs);
      }
    }
  });
}

/** Opens an SSE stream on its own socket and resolves once its first result arrived. */
function openStream(
  url: string,
  token: string,
  onResult?: (durationMs: number) => void,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, headers: { authorization: `Bearer ${token}` } }, (response) => {
      if (response.statusCode !== 200) {
        reject(new Error(`live bench: ${url} answered ${response.statusCode}`));
        return;
      }
      let first = true;
      readResults(response, (durationMs) => {
        onResult?.(durationMs);
        if (first) {
          first = false;
          resolve(response);
        }
      });
    });
    req.on('error', reject);
    req.end();
  });
}

async function measureLatency(ctx: BenchContext, scratch: string): Promise<BenchRow[]> {
  const commits = (ctx.full ? 30 : 10) * COMMITS_PER_SECOND;
  const instance = await startBenchInstance({
    KQL_DIR: await benchKqlDir(scratch),
    RATE_LIMIT_POINTS: '0',
  });
  try {
    const token = await new DevSigningKeyStore(instance.dataDir).sign({
      subject: 'bench',
      roles: ['analyst'],
      claims: { tid: 'bench' },
    });
    const events = instance.app.get(IngestionEvents);
    const committedAt: number[] = [];
    const sse = new ReceiveClock(committedAt);
    const graphql = new ReceiveClock(committedAt);
    const url = `${instance.url}/api/v1/functions/BenchLiveCount/stream`;
    const stream = await openStream(url, token, (durationMs) => sse.result(Date.now() - durationMs));
    const client = await openSubscription(
      `${instance.url.replace(/^http/, 'ws')}/graphql`,
      token,
      (runStarted) => graphql.result(runStarted),
    );
    ctx.log(`live: ${commits} commits at ${COMMITS_PER_SECOND}/s to one SSE and one GraphQL subscriber`);
    const started = performance.now();
    for (let k = 1; k <= commits; k += 1) {
      const wait = started + (k * 1000) / COMMITS_PER_SECOND - performance.now();
      if (wait > 0) {
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
      committedAt.push(Date.now());
      events.emit({ database: instance.config.KUSTO_DATABASE, table: 'Orders', rows: 1 });
    }
    const elapsedS = (performance.now() - started) / 1000;
    for (let waited = 0; waited < 10_000 && (sse.count < commits || graphql.count < commits); waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    stream.destroy();
    await client.dispose();
    const rate = `${(commits / elapsedS).toFixed(0)} commits/s achieved; shared loaded machine`;
    return [...latencyRows('SSE', sse, commits, rate), ...latencyRows('GraphQL', graphql, commits, rate)];
  } finally {
    await instance.stop();
  }
}

function latencyRows(transport: string, clock: ReceiveClock, commits: number, rate: string): BenchRow[] {
  const sorted = [...clock.latencies].sort((a, b) => a - b);
  const benchmark = `commit → ${transport} subscriber`;
  return [
    {
      benchmark,
      metric: 'p50',
      value: percentile(sorted, 50),
      unit: 'ms',
      note: `${clock.count}/${commits} commits received; ${rate}`,
    },
    { benchmark, metric: 'p99', value: percentile(sorted, 99), unit: 'ms', note: 'goal ≤ 100 ms' },
    { benchmark, metric: 'max', value: sorted[sorted.length - 1], unit: 'ms' },
  ];
}

async function vmRssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

async function measureIdleMemory(ctx: BenchContext, scratch: string): Promise<BenchRow[]> {
  const app = await startKqlgateProcess({
    env: {
      KQL_DIR: await benchKqlDir(scratch),
      LOG_LEVEL: 'warn',
      RATE_LIMIT_POINTS: '0',
      LIVE_MAX_SUBSCRIPTIONS_PER_PRINCIPAL: String(2 * IDLE_SUBSCRIPTIONS),
    },
  });
  const streams: IncomingMessage[] = [];
  const clients: Client[] = [];
  try {
    const token = await new DevSigningKeyStore(app.dataDir).sign({
      subject: 'bench',
      roles: ['analyst'],
      claims: { tid: 'bench' },
    });
    const url = `${app.url}/api/v1/functions/BenchLiveCount/stream`;
    // One stream first, so the function's first run and the route's code paths are warm in the baseline.
    streams.push(await openStream(url, token));
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const before = await vmRssMb(app.pid);
    ctx.log(`live: opening ${IDLE_SUBSCRIPTIONS} idle streams (app RSS ${before.toFixed(1)} MB)`);
    for (let opened = 1; opened < IDLE_SUBSCRIPTIONS; opened += 50) {
      const batch = Math.min(50, IDLE_SUBSCRIPTIONS - opened);
      streams.push(...(await Promise.all(Array.from({ length: batch }, () => openStream(url, token)))));
    }
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const after = await vmRssMb(app.pid);
    const wsUrl = `${app.url.replace(/^http/, 'ws')}/graphql`;
    ctx.log(
      `live: opening ${IDLE_SUBSCRIPTIONS} idle GraphQL subscriptions (app RSS ${after.toFixed(1)} MB)`,
    );
    for (let opened = 0; opened < IDLE_SUBSCRIPTIONS; opened += 50) {
      const batch = Math.min(50, IDLE_SUBSCRIPTIONS - opened);
      clients.push(
        ...(await Promise.all(Array.from({ length: batch }, () => openSubscription(wsUrl, token)))),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const afterGraphql = await vmRssMb(app.pid);
    return [
      ...idleRows('SSE', IDLE_SUBSCRIPTIONS - 1, before, after),
      ...idleRows('GraphQL', IDLE_SUBSCRIPTIONS, after, afterGraphql),
    ];
  } finally {
    for (const stream of streams) {
      stream.destroy();
    }
    await Promise.all(clients.map((client) => client.dispose() ?? Promise.resolve()));
    await app.stop();
  }
}

function idleRows(transport: string, opened: number, before: number, after: number): BenchRow[] {
  const benchmark = `${IDLE_SUBSCRIPTIONS} idle ${transport} subscriptions`;
  return [
    {
      benchmark,
      metric: 'app RSS growth',
      value: after - before,
      unit: 'MB',
      baseline: before,
      note: `RSS ${before.toFixed(1)} → ${after.toFixed(1)} MB; goal ≤ 50 MB; shared loaded machine`,
    },
    {
      benchmark,
      metric: 'per subscription',
      value: ((after - before) * 1024) / IDLE_SUBSCRIPTIONS,
      unit: 'KB',
    },
  ];
}

export const suite: BenchSuite = {
  name: 'live',
  async run(ctx) {
    const scratch = await mkdtemp(join(tmpdir(), 'kqlgate-bench-live-'));
    try {
      return [...(await measureLatency(ctx, scratch)), ...(await measureIdleMemory(ctx, scratch))];
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  },
};
