/**
 * Gateway: what the catalog → execute path adds on top of the engine, and how many calls per second REST and
 * GraphQL sustain for a small uncached function, on the whole runtime (`npm start` without demo traffic, with
 * the security module verifying a dev JWT on every request and claim-binding tenantId).
 *
 * - Overhead: the same query text with the same query parameters sent (a) straight through azure-kusto-data and
 *   (b) through `GET /api/v1/functions/BenchPayments`, one request at a time, interleaved so drift hits both
 *   equally; the added p50 is gateway p50 − direct p50 (goal ≤ 1 ms). Both calls go out through node:http with a
 *   keep-alive agent (azure-kusto-data's axios uses node:http too), so the client side costs the same on both
 *   paths; WHATWG fetch would add its own stream machinery to the gateway side only.
 * - Throughput: autocannon against REST and GraphQL with 10 connections. The function has `cache=0`, so every
 *   call reaches the engine (concurrent identical calls may be coalesced by the cache layer).
 */
import { existsSync } from 'node:fs';
import { Agent, get as httpGet, type OutgoingHttpHeaders } from 'node:http';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import autocannon from 'autocannon';
import { Client, ClientRequestProperties, KustoConnectionStringBuilder } from 'azure-kusto-data';
import { DevSigningKeyStore } from '../../src/modules/auth/dev-signing-key.store.js';
import { FunctionCatalogService } from '../../src/modules/catalog/function-catalog.service.js';
import { functionQueryText } from '../../src/modules/query/query-text.js';
import type { BenchContext, BenchRow, BenchSuite } from '../bench-types.js';
import { startBenchInstance } from '../bench-instance.js';

const BENCH_FUNCTION = `// A small uncached function for the gateway benchmark.
// @expose roles=analyst cache=0 cost=1 maxRows=100
// @bind tenantId=claim:tid
.create-or-alter function with (docstring = 'Benchmark: recent payments of one method', folder = 'bench')
BenchPayments(tenantId: string, method: string = 'card', maxRows: long = 20) {
    Payments
    | where TenantId == tenantId and Method == method
    | project PaymentId, Amount, Status, OccurredAt
    | order by PaymentId asc
    | take maxRows
}
`;

/** One keep-alive GET; resolves the status and the body text. */
function getText(
  url: string,
  headers: OutgoingHttpHeaders,
  agent: Agent,
): Promise<{ status: number; text: string }> {
  return new Promise((resolveResponse, reject) => {
    const request = httpGet(url, { agent, headers }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        text += chunk;
      });
      response.on('end', () => resolveResponse({ status: response.statusCode ?? 0, text }));
      response.on('error', reject);
    });
    request.on('error', reject);
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export const suite: BenchSuite = {
  name: 'gateway',
  async run(ctx: BenchContext): Promise<BenchRow[]> {
    const iterations = ctx.full ? 2000 : 300;
    const seconds = ctx.full ? 15 : 5;
    const kqlDir = join(await mkdtemp(join(tmpdir(), 'kqlgate-bench-kql-')), 'kql');
    await cp(repoKqlDir(), kqlDir, { recursive: true });
    await writeFile(join(kqlDir, 'functions', 'BenchPayments.kql'), BENCH_FUNCTION);

    ctx.log('starting the runtime (embedded engine + gateway)');
    const enginePort = await freePort();
    const instance = await startBenchInstance({
      KQL_DIR: kqlDir,
      RATE_LIMIT_POINTS: '0',
      KUSTO_EMBEDDED_PORT: String(enginePort),
    });
    const rows: BenchRow[] = [];
    const direct = new Client(new KustoConnectionStringBuilder(`http://127.0.0.1:${enginePort}`));
    const gatewayAgent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const seed = Array.from({ length: 200 }, (_, i) => {
        const at = new Date(Date.now() - i * 60_000).toISOString();
        return `contoso,p-${i},o-${i},a-${i % 20},c-${i % 20},authorized,${(i * 1.5).toFixed(2)},EUR,${i % 3 === 0 ? 'wallet' : 'card'},424242,4242,DE,d-${i},203.0.113.${i % 250},DE,,,${at},m-${i}`;
      });
      await direct.executeMgmt('analytics', `.ingest inline into table Payments <|\n${seed.join('\n')}`);

      const token = await new DevSigningKeyStore(instance.dataDir).sign({
        subject: 'bench',
        roles: ['analyst'],
        claims: { tid: 'contoso' },
      });
      const headers = { authorization: `Bearer ${token}` };
      const fn = instance.app.get(FunctionCatalogService).exposedFunction('BenchPayments')!;
      const csl = functionQueryText(fn, fn.exposure!.maxRows);
      const restUrl = `${instance.url}/api/v1/functions/BenchPayments?method=card`;

      const runDirect = async (): Promise<number> => {
        const properties = new ClientRequestProperties();
        properties.setParameter('tenantId', 'contoso');
        properties.setParameter('method', 'card');
        const started = performance.now();
        const response = await direct.executeQuery('analytics', csl, properties);
        const elapsed = performance.now() - started;
        if (response.primaryResults[0]._rows.length !== 20) {
          throw new Error('direct query returned an unexpected row count');
        }
        return elapsed;
      };
      const ownTimes: number[] = [];
      const runGateway = async (): Promise<number> => {
        const started = performance.now();
        const response = await getText(restUrl, headers, gatewayAgent);
        const body = JSON.parse(response.text) as { data?: unknown[]; meta?: { engineMs?: number } };
        const elapsed = performance.now() - started;
        if (response.status !== 200 || body.data?.length !== 20) {
          throw new Error(`gateway answered ${response.status}: ${response.text.slice(0, 300)}`);
        }
        if (body.meta?.engineMs !== undefined) {
          ownTimes.push(elapsed - body.meta.engineMs);
        }
        return elapsed;
      };

      ctx.log(`overhead: ${iterations} interleaved sequential calls each (warm-up 30)`);
      for (let i = 0; i < 30; i++) {
        await runDirect();
        await runGateway();
      }
      const directTimes: number[] = [];
      const gatewayTimes: number[] = [];
      for (let i = 0; i < iterations; i++) {
        directTimes.push(await runDirect());
        gatewayTimes.push(await runGateway());
      }
      ownTimes.splice(0, 30);
      ownTimes.sort((a, b) => a - b);
      directTimes.sort((a, b) => a - b);
      gatewayTimes.sort((a, b) => a - b);
      const directP50 = percentile(directTimes, 50);
      const gatewayP50 = percentile(gatewayTimes, 50);
      rows.push(
        { benchmark: 'azure-kusto-data direct', metric: 'latency p50', value: round(directP50), unit: 'ms' },
        {
          benchmark: 'azure-kusto-data direct',
          metric: 'latency p99',
          value: round(percentile(directTimes, 99)),
          unit: 'ms',
        },
        {
          benchmark: 'REST via gateway (same query)',
          metric: 'latency p50',
          value: round(gatewayP50),
          unit: 'ms',
          baseline: round(directP50),
          ratio: round(gatewayP50 / directP50),
        },
        {
          benchmark: 'REST via gateway (same query)',
          metric: 'latency p99',
          value: round(percentile(gatewayTimes, 99)),
          unit: 'ms',
        },
        {
          benchmark: 'gateway overhead',
          metric: 'added latency p50',
          value: round(gatewayP50 - directP50),
          unit: 'ms',
          note: 'difference of two medians: noisy when the engine time varies (shared CPU)',
        },
        {
          benchmark: 'gateway overhead',
          metric: 'latency − engine time p50',
          value: round(percentile(ownTimes, 50)),
          unit: 'ms',
          note: 'same request: HTTP hop, JWT check, auth, claim binding, validation, rate limit, cache, JSON; goal ≤ 1 ms',
        },
        {
          benchmark: 'gateway overhead',
          metric: 'latency − engine time p99',
          value: round(percentile(ownTimes, 99)),
          unit: 'ms',
        },
      );

      ctx.log(`throughput: REST, 10 connections, ${seconds}s`);
      await autocannon({ url: restUrl, headers, connections: 10, duration: 1 });
      const rest = await autocannon({ url: restUrl, headers, connections: 10, duration: seconds });
      ctx.log(`throughput: GraphQL, 10 connections, ${seconds}s`);
      const graphqlBody = JSON.stringify({
        query: '{ BenchPayments(method: "card") { PaymentId Amount Status OccurredAt } }',
      });
      const graphqlOptions = {
        url: `${instance.url}/graphql`,
        method: 'POST' as const,
        headers: { ...headers, 'content-type': 'application/json' },
        body: graphqlBody,
        connections: 10,
      };
      await autocannon({ ...graphqlOptions, duration: 1 });
      const graphql = await autocannon({ ...graphqlOptions, duration: seconds });
      const errorNote = (r: autocannon.Result): string | undefined =>
        r.errors + r.non2xx > 0 ? `${r.errors} errors, ${r.non2xx} non-2xx` : undefined;
      rows.push(
        {
          benchmark: 'REST BenchPayments (uncached)',
          metric: 'throughput',
          value: rest.requests.average,
          unit: 'req/s',
          note: errorNote(rest),
        },
        {
          benchmark: 'REST BenchPayments (uncached)',
          metric: 'latency p50',
          value: rest.latency.p50,
          unit: 'ms',
        },
        {
          benchmark: 'GraphQL BenchPayments (uncached)',
          metric: 'throughput',
          value: graphql.requests.average,
          unit: 'req/s',
          note: errorNote(graphql),
        },
        {
          benchmark: 'GraphQL BenchPayments (uncached)',
          metric: 'latency p50',
          value: graphql.latency.p50,
          unit: 'ms',
        },
      );
      return rows;
    } finally {
      direct.close();
      gatewayAgent.destroy();
      await instance.stop();
      await rm(dirname(kqlDir), { recursive: true, force: true });
    }
  },
};

/** kql/ of the repository, from the TypeScript source (bench/suites) or the build (dist/bench/suites). */
function repoKqlDir(): string {
  const candidates = [
    resolve(import.meta.dirname, '../../kql'),
    resolve(import.meta.dirname, '../../../kql'),
  ];
  const found = candidates.find((dir) => existsSync(join(dir, 'functions')));
  if (!found) {
    throw new Error(`kql/ not found next to the benchmark (looked in ${candidates.join(', ')})`);
  }
  return found;
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
