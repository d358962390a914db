/**
 * Gateway: what the catalog → execute path adds on top of the engine, and how many calls per second REST and
 * GraphQL sustain for a small uncached function, on the real app: `node dist/src/main.js` in a child process
 * (`npm start` without demo traffic; LOG_LEVEL=info request and audit lines written to a file; the security
 * module verifying a dev JWT on every request and claim-binding tenantId). The benchmark process is the client
 * of both paths, so each crosses the same process boundary.
 *
 * - Overhead: the same query text with the same query parameters sent (a) straight through azure-kusto-data and
 *   (b) through `GET /api/v1/functions/BenchPayments`, one request at a time, interleaved so drift hits both
 *   equally; the added p50 is gateway p50 − direct p50 (goal ≤ 1 ms). Both calls go out through node:http with a
 *   keep-alive agent (azure-kusto-data's axios uses node:http too), so the client side costs the same on both
 *   paths; WHATWG fetch would add its own stream machinery to the gateway side only.
 * - Hop baseline: (c) the same query through a minimal proxy (minimal-kusto-proxy.ts: node:http + azure-kusto-data,
 *   nothing else) in its own process, interleaved with (a) and (b). Proxy − direct is what one more HTTP hop costs on
 *   this machine whatever the service does; gateway − proxy is the gateway's own work.
 * - Throughput: autocannon (in its own process) against REST and GraphQL with 10 connections. The function has
 *   `cache=0`, so every call reaches the engine (concurrent identical calls may be coalesced by the cache layer).
 */
import { Agent, get as httpGet, type OutgoingHttpHeaders } from 'node:http';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Client, ClientRequestProperties, KustoConnectionStringBuilder } from 'azure-kusto-data';
import { DevSigningKeyStore } from '../../src/modules/auth/dev-signing-key.store.js';
import { buildCatalog } from '../../src/modules/catalog/catalog-builder.js';
import { KqlDirectorySource } from '../../src/modules/catalog/kql-directory.source.js';
import { functionQueryText } from '../../src/modules/query/query-text.js';
import type { BenchContext, BenchRow, BenchSuite } from '../bench-types.js';
import { startKqlgateProcess } from '../kqlgate-process.js';
import { startMinimalKustoProxy, type MinimalKustoProxy } from '../minimal-kusto-proxy.js';
import { runLoad, type LoadSummary } from '../load-generator.js';
import { processCpuMs } from '../process-cpu.js';
import { repoKqlDir } from '../repo-kql-dir.js';

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

    ctx.log('starting the app (node dist/src/main.js, LOG_LEVEL=info to a file) in a child process');
    const instance = await startKqlgateProcess({
      env: { KQL_DIR: kqlDir, LOG_LEVEL: 'info', RATE_LIMIT_POINTS: '0' },
      cpuProfileDir: process.env.BENCH_CPU_PROF_DIR,
    });
    const rows: BenchRow[] = [];
    // The direct path is configured as the gateway's client is (connector details set once), so neither side pays
    // the SDK's per-request OS user lookup.
    const directConnection = new KustoConnectionStringBuilder(instance.engineUrl);
    directConnection.setConnectorDetails('kqlgate-bench', '1');
    const direct = new Client(directConnection);
    const gatewayAgent = new Agent({ keepAlive: true, maxSockets: 1 });
    const proxyAgent = new Agent({ keepAlive: true, maxSockets: 1 });
    let proxy: MinimalKustoProxy | undefined;
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
      // The query text the gateway sends, from the same catalog analysis the app ran on the same kql/.
      const fn = buildCatalog(await new KqlDirectorySource(kqlDir).read()).functions.find(
        (f) => f.name === 'BenchPayments',
      );
      if (!fn?.exposure) {
        throw new Error('gateway bench: BenchPayments is missing from the catalog or not exposed');
      }
      const csl = functionQueryText(fn, fn.exposure.maxRows);
      const restUrl = `${instance.url}/api/v1/functions/BenchPayments?method=card`;
      const parameters = { tenantId: 'contoso', method: 'card' };
      proxy = await startMinimalKustoProxy({
        engineUrl: instance.engineUrl,
        database: 'analytics',
        csl,
        parameters,
      });
      const proxyUrl = proxy.url;

      const runDirect = async (): Promise<number> => {
        const properties = new ClientRequestProperties();
        for (const [name, value] of Object.entries(parameters)) {
          properties.setParameter(name, value);
        }
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
        // Latency ends when the last byte arrived; parsing the body to check it is the client's own work.
        const elapsed = performance.now() - started;
        const body = JSON.parse(response.text) as { data?: unknown[]; meta?: { engineMs?: number } };
        if (response.status !== 200 || body.data?.length !== 20) {
          throw new Error(`gateway answered ${response.status}: ${response.text.slice(0, 300)}`);
        }
        if (body.meta?.engineMs !== undefined) {
          ownTimes.push(elapsed - body.meta.engineMs);
        }
        return elapsed;
      };

      const runProxy = async (): Promise<number> => {
        const started = performance.now();
        const response = await getText(proxyUrl, {}, proxyAgent);
        const elapsed = performance.now() - started;
        if (
          response.status !== 200 ||
          (JSON.parse(response.text) as { data: unknown[] }).data.length !== 20
        ) {
          throw new Error(`minimal proxy answered ${response.status}: ${response.text.slice(0, 300)}`);
        }
        return elapsed;
      };

      ctx.log(`overhead: ${iterations} interleaved sequential calls each (warm-up 30)`);
      for (let i = 0; i < 30; i++) {
        await runDirect();
        await runProxy();
        await runGateway();
      }
      const directTimes: number[] = [];
      const proxyTimes: number[] = [];
      const gatewayTimes: number[] = [];
      for (let i = 0; i < iterations; i++) {
        directTimes.push(await runDirect());
        proxyTimes.push(await runProxy());
        gatewayTimes.push(await runGateway());
      }
      ownTimes.splice(0, 30);
      ownTimes.sort((a, b) => a - b);
      directTimes.sort((a, b) => a - b);
      proxyTimes.sort((a, b) => a - b);
      gatewayTimes.sort((a, b) => a - b);
      const directP50 = percentile(directTimes, 50);
      const proxyP50 = percentile(proxyTimes, 50);
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
          benchmark: 'minimal proxy (same query)',
          metric: 'latency p50',
          value: round(proxyP50),
          unit: 'ms',
          baseline: round(directP50),
          ratio: round(proxyP50 / directP50),
          note: 'node:http + azure-kusto-data and nothing else, own process: one extra HTTP hop',
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
          metric: 'added latency p50, hop only',
          value: round(proxyP50 - directP50),
          unit: 'ms',
          note: 'minimal proxy − direct: what any HTTP service in front of the engine adds on this machine',
        },
        {
          benchmark: 'gateway overhead',
          metric: 'added latency p50 over the hop',
          value: round(gatewayP50 - proxyP50),
          unit: 'ms',
          note: "gateway − minimal proxy: the gateway's own work (auth, validation, cache, logs, metrics)",
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

      const load = async (target: {
        url: string;
        method?: 'GET' | 'POST';
        headers: Record<string, string>;
        body?: string;
      }): Promise<LoadSummary & { cpuMicros?: number }> => {
        const cpuBefore = await processCpuMs(instance.pid);
        const summary = await runLoad({
          ...target,
          connections: 10,
          durationSeconds: seconds,
          warmupSeconds: 1,
        });
        const cpuAfter = await processCpuMs(instance.pid);
        const answered = Math.max(summary.requests + summary.warmupRequests, 1);
        return cpuBefore === undefined || cpuAfter === undefined
          ? summary
          : { ...summary, cpuMicros: ((cpuAfter - cpuBefore) * 1000) / answered };
      };
      ctx.log(`throughput: REST, 10 connections, ${seconds}s`);
      const rest = await load({ url: restUrl, headers });
      ctx.log(`throughput: GraphQL, 10 connections, ${seconds}s`);
      const graphql = await load({
        url: `${instance.url}/graphql`,
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({
          query: '{ BenchPayments(method: "card") { PaymentId Amount Status OccurredAt } }',
        }),
      });
      const errorNote = (r: LoadSummary): string | undefined =>
        r.errors + r.non2xx > 0 ? `${r.errors} errors, ${r.non2xx} non-2xx` : undefined;
      for (const [name, result] of [
        ['REST BenchPayments (uncached)', rest],
        ['GraphQL BenchPayments (uncached)', graphql],
      ] as const) {
        rows.push(
          {
            benchmark: name,
            metric: 'throughput',
            value: result.requestsPerSecond,
            unit: 'req/s',
            note: errorNote(result),
          },
          { benchmark: name, metric: 'latency p50', value: result.latencyP50Ms, unit: 'ms' },
        );
        if (result.cpuMicros !== undefined) {
          rows.push({
            benchmark: name,
            metric: 'app CPU per request',
            value: result.cpuMicros,
            unit: 'µs',
            note: 'gateway + embedded engine (one process, as npm start runs them)',
          });
        }
      }
      return rows;
    } finally {
      direct.close();
      gatewayAgent.destroy();
      proxyAgent.destroy();
      await proxy?.stop();
      await instance.stop();
      await rm(dirname(kqlDir), { recursive: true, force: true });
    }
  },
};

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
