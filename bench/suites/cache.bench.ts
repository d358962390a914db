/**
 * Cached function calls through the real app against a bare Fastify route answering the same JSON, same run.
 * Goals: cached REST ≥ 50 % of bare throughput; p99 ≤ 5 ms at a fixed 1,000 req/s; cached GraphQL ≥ 80 % of cached
 * REST. `/health/live` is the app's framework floor, POST /graphql `{ __typename }` the GraphQL one (Apollo's request
 * pipeline with no function call).
 *
 * What is measured, and how:
 * - the gateway is `node dist/src/main.js` in a child process (see kqlgate-process.ts): the app exactly as
 *   `npm start` builds it, with LOG_LEVEL=info request logs and audit lines written to a file, metrics, request
 *   ids, JWT validation, authorization, claim binding, rate limiting (a budget too large to refuse) and the result
 *   cache;
 * - the app allows one browser origin (CORS_ORIGINS): the cross-origin run sends its Origin, the others none;
 * - the baseline is a bare Fastify route (no logger) in its own child process, returning the gateway's body;
 * - autocannon runs in a third process for every measurement, so neither server shares its event loop with the
 *   load generator. Both servers are measured one after the other in the same run; compare the ratios.
 */
import 'reflect-metadata';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchContext, BenchRow, BenchSuite } from '../bench-types.js';
import { startBareJsonServer, type BareJsonServer } from '../bare-json-server.js';
import { seedBenchApp } from '../bench-app-seed.js';
import { startKqlgateProcess, type KqlgateProcess } from '../kqlgate-process.js';
import { startOtlpSink, type OtlpSink } from '../otlp-sink.js';
import { runLoad, type LoadOptions, type LoadSummary } from '../load-generator.js';
import { processCpuMs } from '../process-cpu.js';
import { repoKqlDir } from '../repo-kql-dir.js';
import {
  DevSigningKeyStore,
  DEV_AUDIENCE,
  DEV_ISSUER,
} from '../../src/modules/auth/dev-signing-key.store.js';
import { FunctionAuthorizationPolicy } from '../../src/modules/auth/function-authorization.policy.js';
import { ApiKeyStore } from '../../src/modules/auth/api-key.store.js';
import { JwksSource } from '../../src/modules/auth/jwks-source.js';
import { DEFAULT_JWT_ALGORITHMS, JwtVerifier } from '../../src/modules/auth/jwt-verifier.js';
import { CredentialAuthenticator } from '../../src/modules/auth/credential-authenticator.js';
import { MemoryCacheStore, MemoryTableGenerations } from '../../src/modules/cache/memory-cache.store.js';
import { StoreBackedResultCache } from '../../src/modules/cache/store-backed-result-cache.js';
import { MemoryThrottlerStorage } from '../../src/modules/rate-limit/cost-throttler.storage.js';
import { CostBudgetRateLimiter } from '../../src/modules/rate-limit/cost-budget-rate-limiter.js';

const DURATION_S = 5;
const WARMUP_S = 1;
const CONNECTIONS = 10;
const FIXED_RATE = 1000;
const SEED_ROWS = 20;
/** The front-end origin CORS_ORIGINS allows; the cross-origin run sends it as a browser would. */
const BROWSER_ORIGIN = 'https://dashboards.example.com';

const FUNCTION_KQL = `// Bench: a small tenant-scoped result, cached.
//
// @expose roles=analyst cache=10m cost=1
// @bind tenantId=claim:tid
.create-or-alter function with (docstring = 'Orders of the caller tenant', folder = 'bench')
BenchOrders(tenantId: string) {
    Orders
    | where TenantId == tenantId
    | project OrderId, TenantId, TotalAmount
    | order by OrderId asc
}
`;

interface Target {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
}

type Rate = { kind: 'max' } | { kind: 'paced' } | { kind: 'autocannon-bursts' };

interface Measured extends LoadSummary {
  /** Server CPU (user + system) per answered request, warm-up included; undefined without /proc. */
  cpuMicrosPerRequest?: number;
}

/** One load from a separate process against `target`, served by process `serverPid`. */
async function measure(target: Target, serverPid: number, rate: Rate): Promise<Measured> {
  const options: LoadOptions = {
    ...target,
    connections: CONNECTIONS,
    durationSeconds: DURATION_S,
    warmupSeconds: WARMUP_S,
    ...(rate.kind === 'paced' ? { pacedRate: FIXED_RATE } : {}),
    ...(rate.kind === 'autocannon-bursts' ? { overallRate: FIXED_RATE } : {}),
  };
  const cpuBefore = await processCpuMs(serverPid);
  const summary = await runLoad(options);
  const cpuAfter = await processCpuMs(serverPid);
  const answered = summary.requests + summary.warmupRequests;
  return {
    ...summary,
    ...(cpuBefore !== undefined && cpuAfter !== undefined && rate.kind === 'max'
      ? { cpuMicrosPerRequest: ((cpuAfter - cpuBefore) * 1000) / Math.max(answered, 1) }
      : {}),
  };
}

/** The mean of two max-rate runs of the same target (throughput, p99, CPU per request). */
function meanOf(a: Measured, b: Measured): Measured {
  const mean = (x: number, y: number): number => Math.round(((x + y) / 2) * 100) / 100;
  return {
    ...a,
    requestsPerSecond: mean(a.requestsPerSecond, b.requestsPerSecond),
    latencyP99Ms: mean(a.latencyP99Ms, b.latencyP99Ms),
    ...(a.cpuMicrosPerRequest !== undefined && b.cpuMicrosPerRequest !== undefined
      ? { cpuMicrosPerRequest: mean(a.cpuMicrosPerRequest, b.cpuMicrosPerRequest) }
      : {}),
  };
}

function errorNote(result: LoadSummary): string | undefined {
  const errors = result.errors + result.non2xx;
  return errors > 0 ? `${errors} errors/non-2xx` : undefined;
}

/** Baseline and ratio; no ratio against 0 (autocannon reports whole milliseconds, so a p99 can read 0). */
function versus(value: number, baseline: number | undefined): Pick<BenchRow, 'baseline' | 'ratio'> {
  if (baseline === undefined) {
    return {};
  }
  return baseline > 0 ? { baseline, ratio: value / baseline } : { baseline };
}

/** Seeds the app's engine with the bench rows, and checks (warming its cache) that BenchOrders answers them. */
async function seedAndWarm(
  app: KqlgateProcess,
): Promise<{ auth: Record<string, string>; restUrl: string; body: string }> {
  const token = await seedBenchApp(app, seedOrders(), 'bench');
  const auth = { authorization: `Bearer ${token}` };
  const restUrl = `${app.url}/api/v1/functions/BenchOrders`;
  const warm = await fetch(restUrl, { headers: auth });
  const body = await warm.text();
  if (warm.status !== 200 || !body.includes('"rowCount":20')) {
    throw new Error(`cache bench: ${restUrl} answered ${warm.status}: ${body.slice(0, 300)}`);
  }
  return { auth, restUrl, body };
}

/** Throughput, p99 and server CPU per request of an as-fast-as-it-answers run. */
function maxRateRows(name: string, result: Measured, bare?: Measured): BenchRow[] {
  const note = errorNote(result);
  const out: BenchRow[] = [
    {
      benchmark: name,
      metric: 'throughput',
      value: result.requestsPerSecond,
      unit: 'req/s',
      ...versus(result.requestsPerSecond, bare?.requestsPerSecond),
      note,
    },
    {
      benchmark: name,
      metric: 'latency p99',
      value: result.latencyP99Ms,
      unit: 'ms',
      ...versus(result.latencyP99Ms, bare?.latencyP99Ms),
      note,
    },
  ];
  if (result.cpuMicrosPerRequest !== undefined) {
    out.push({
      benchmark: name,
      metric: 'server CPU per request',
      value: result.cpuMicrosPerRequest,
      unit: 'µs',
      ...versus(result.cpuMicrosPerRequest, bare?.cpuMicrosPerRequest),
      note: 'user + system time of the server process / requests answered',
    });
  }
  return out;
}

function fixedRateRow(name: string, result: Measured, bare: Measured | undefined, rate: Rate): BenchRow {
  const label = rate.kind === 'paced' ? 'steady' : 'autocannon 1-s bursts';
  return {
    benchmark: name,
    metric: `latency p99 @${FIXED_RATE}/s ${label}`,
    value: result.latencyP99Ms,
    unit: 'ms',
    ...versus(result.latencyP99Ms, bare?.latencyP99Ms),
    note:
      errorNote(result) ??
      (rate.kind === 'paced'
        ? 'open loop, evenly spaced sends, 10 sockets'
        : 'autocannon overallRate: each second starts with the quota sent at full speed'),
  };
}

/** Orders rows of tenant A (all 15 columns of kql/tables/orders.kql), as inline CSV. */
function seedOrders(): string {
  return Array.from({ length: SEED_ROWS }, (_, i) =>
    [
      'A',
      `o-${String(i).padStart(2, '0')}`,
      `c-${i}`,
      `a-${i}`,
      'placed',
      'web',
      'EUR',
      (i * 1.5).toFixed(2),
      String(1 + (i % 4)),
      'DE',
      '',
      '',
      '',
      new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(),
      `m-${i}`,
    ].join(','),
  ).join('\n');
}

/**
 * The security layer alone, in-process: authenticate a (remembered) JWT, authorize, bind claims, spend rate-limit
 * points and serve a cache hit — the per-call work the gateway adds on top of routing and encoding.
 */
async function securityLayerMicros(dir: string, iterations: number): Promise<number> {
  const keys = new DevSigningKeyStore(join(dir, 'micro'));
  const verifier = new JwtVerifier(JwksSource.local(await keys.publicJwks()), {
    issuers: [DEV_ISSUER],
    audiences: [DEV_AUDIENCE],
    algorithms: DEFAULT_JWT_ALGORITHMS,
    clockToleranceSeconds: 60,
  });
  const authenticator = new CredentialAuthenticator(verifier, ApiKeyStore.empty());
  const policy = new FunctionAuthorizationPolicy();
  const limiter = new CostBudgetRateLimiter(new MemoryThrottlerStorage(), {
    points: 1e12,
    windowSeconds: 60,
  });
  const cache = new StoreBackedResultCache({
    store: new MemoryCacheStore(64 * 1024 * 1024),
    generations: new MemoryTableGenerations(),
  });
  const fn = {
    name: 'BenchOrders',
    anonymous: false,
    roles: ['analyst'],
    scopes: [],
    boundParameters: { tenantId: 'tid' },
    cost: 1,
  };
  const headers = {
    authorization: `Bearer ${await keys.sign({ subject: 'micro', roles: ['analyst'], claims: { tid: 'A' } })}`,
  };
  const rowsValue = {
    rows: Array.from({ length: 20 }, (_, i) => ({ OrderId: `o-${i}`, TenantId: 'A', TotalAmount: i })),
  };
  const once = async () => {
    const principal = await authenticator.authenticate(headers, '127.0.0.1');
    policy.authorize(principal, fn);
    const { params, bound } = policy.bindClaims(principal, fn, {});
    await limiter.consume(principal, fn);
    await cache.getOrLoad(
      { functionName: fn.name, tables: ['Orders'], params, boundClaims: bound, ttlSeconds: 600 },
      () => Promise.resolve(rowsValue),
    );
  };
  for (let i = 0; i < 2000; i += 1) {
    await once();
  }
  const started = performance.now();
  for (let i = 0; i < iterations; i += 1) {
    await once();
  }
  return ((performance.now() - started) * 1000) / iterations;
}

export const suite: BenchSuite = {
  name: 'cache',
  async run(ctx: BenchContext): Promise<BenchRow[]> {
    const scratch = await mkdtemp(join(tmpdir(), 'kqlgate-bench-cache-'));
    const kqlDir = join(scratch, 'kql');
    await cp(repoKqlDir(), kqlDir, { recursive: true });
    await writeFile(join(kqlDir, 'functions', 'BenchOrders.kql'), FUNCTION_KQL);
    let app: KqlgateProcess | undefined;
    let traced: KqlgateProcess | undefined;
    let sink: OtlpSink | undefined;
    let bare: BareJsonServer | undefined;
    try {
      ctx.log('starting the app (node dist/src/main.js, LOG_LEVEL=info to a file) in a child process');
      app = await startKqlgateProcess({
        // CORS on, as for a deployment serving browser front-ends: every call pays the policy's hook.
        env: {
          KQL_DIR: kqlDir,
          LOG_LEVEL: 'info',
          RATE_LIMIT_POINTS: '1000000000',
          CORS_ORIGINS: BROWSER_ORIGIN,
        },
        cpuProfileDir: process.env.BENCH_CPU_PROF_DIR,
      });
      const { auth, restUrl, body } = await seedAndWarm(app);
      const gqlBody = JSON.stringify({ query: '{ BenchOrders { OrderId TenantId TotalAmount } }' });
      const gqlTarget: Target = {
        url: `${app.url}/graphql`,
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: gqlBody,
      };
      const gqlWarm = await fetch(gqlTarget.url, {
        method: 'POST',
        headers: gqlTarget.headers,
        body: gqlBody,
      });
      if (gqlWarm.status !== 200) {
        throw new Error(`cache bench: /graphql answered ${gqlWarm.status}: ${await gqlWarm.text()}`);
      }
      bare = await startBareJsonServer(body);

      ctx.log(`bare Fastify (same ${body.length}-byte JSON), ${CONNECTIONS} connections, ${DURATION_S}s`);
      const bareTarget: Target = { url: bare.url };
      const restTarget: Target = { url: restUrl, headers: auth };
      const bareResult = await measure(bareTarget, bare.pid, { kind: 'max' });
      ctx.log(
        'cached REST through the app (JWT + authz + rate limit + cache + request log + audit + metrics)',
      );
      const logBefore = await app.logBytes();
      const restResult = await measure(restTarget, app.pid, { kind: 'max' });
      const logBytesPerCall =
        ((await app.logBytes()) - logBefore) / Math.max(restResult.requests + restResult.warmupRequests, 1);
      ctx.log(`cached REST from a browser page on ${BROWSER_ORIGIN} (Origin header: CORS headers answered)`);
      const corsResult = await measure(
        { url: restUrl, headers: { ...auth, origin: BROWSER_ORIGIN } },
        app.pid,
        { kind: 'max' },
      );
      ctx.log(
        "the app's /health/live (Nest + Fastify + the instance hooks, no function): the framework floor",
      );
      const floorResult = await measure({ url: `${app.url}/health/live` }, app.pid, { kind: 'max' });
      ctx.log('bare Fastify again (the host drifts: the baseline is the mean of a run before and after)');
      const bareAfter = await measure(bareTarget, bare.pid, { kind: 'max' });
      const bareMean = meanOf(bareResult, bareAfter);
      ctx.log('cached GraphQL through the app');
      const gqlLogBefore = await app.logBytes();
      const gqlResult = await measure(gqlTarget, app.pid, { kind: 'max' });
      const gqlLogBytesPerCall =
        ((await app.logBytes()) - gqlLogBefore) / Math.max(gqlResult.requests + gqlResult.warmupRequests, 1);
      ctx.log(
        "POST /graphql { __typename }: Apollo's request pipeline with no function call (the GraphQL floor)",
      );
      const gqlFloorResult = await measure(
        { ...gqlTarget, body: JSON.stringify({ query: '{ __typename }' }) },
        app.pid,
        { kind: 'max' },
      );
      ctx.log(`steady ${FIXED_RATE} req/s, then autocannon overallRate ${FIXED_RATE}: bare and cached REST`);
      const paced: Rate = { kind: 'paced' };
      const bursts: Rate = { kind: 'autocannon-bursts' };
      const barePaced = await measure(bareTarget, bare.pid, paced);
      const restPaced = await measure(restTarget, app.pid, paced);
      const bareBursts = await measure(bareTarget, bare.pid, bursts);
      const restBursts = await measure(restTarget, app.pid, bursts);

      ctx.log(
        'telemetry on: a second app exporting OTLP/HTTP (every call sampled) to a sink in this process',
      );
      sink = await startOtlpSink();
      traced = await startKqlgateProcess({
        env: {
          KQL_DIR: kqlDir,
          LOG_LEVEL: 'info',
          RATE_LIMIT_POINTS: '1000000000',
          OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
          OTEL_TRACES_SAMPLER: 'always_on',
        },
      });
      const tracedCall = await seedAndWarm(traced);
      const tracedTarget: Target = { url: tracedCall.restUrl, headers: tracedCall.auth };
      const tracedResult = await measure(tracedTarget, traced.pid, { kind: 'max' });
      ctx.log('cached REST, telemetry off, again (the off figure is the mean of a run before and after)');
      const restAgain = await measure(restTarget, app.pid, { kind: 'max' });
      const restMean = meanOf(restResult, restAgain);
      const tracedPaced = await measure(tracedTarget, traced.pid, paced);
      const restPacedAgain = await measure(restTarget, app.pid, paced);
      if (sink.requests === 0) {
        throw new Error('cache bench: the telemetry-on app exported nothing to the OTLP sink');
      }

      ctx.log('security layer alone (in-process, cached JWT + authz + claims + rate limit + cache hit)');
      const micros = await securityLayerMicros(scratch, 20_000);

      return [
        {
          benchmark: 'security layer per cached call (in-process)',
          metric: 'time per call',
          value: micros,
          unit: 'µs',
          note: 'authenticate + authorize + bind claims + rate limit + cache hit',
        },
        ...maxRateRows('bare fastify, same JSON', bareMean).map((row) =>
          row.metric === 'throughput'
            ? {
                ...row,
                note: `mean of a run before (${bareResult.requestsPerSecond}) and after (${bareAfter.requestsPerSecond}) the cached REST run`,
              }
            : row,
        ),
        ...maxRateRows('cached REST BenchOrders', restResult, bareMean),
        ...maxRateRows('cached REST BenchOrders, cross-origin (CORS)', corsResult, bareMean),
        ...maxRateRows('kqlgate /health/live (framework floor)', floorResult, bareMean),
        ...maxRateRows('cached GraphQL BenchOrders', gqlResult, bareMean),
        {
          benchmark: 'cached GraphQL BenchOrders',
          metric: 'throughput vs cached REST',
          value: gqlResult.requestsPerSecond,
          unit: 'req/s',
          ...versus(gqlResult.requestsPerSecond, restMean.requestsPerSecond),
          note: 'goal ≥ 0.8x; baseline: cached REST, mean of a run before and after (telemetry off)',
        },
        ...maxRateRows('kqlgate POST /graphql { __typename } (GraphQL floor)', gqlFloorResult, bareMean),
        fixedRateRow('bare fastify, same JSON', barePaced, undefined, paced),
        fixedRateRow('cached REST BenchOrders', restPaced, barePaced, paced),
        fixedRateRow('bare fastify, same JSON', bareBursts, undefined, bursts),
        fixedRateRow('cached REST BenchOrders', restBursts, bareBursts, bursts),
        ...maxRateRows('cached REST BenchOrders, telemetry on (OTLP, always_on)', tracedResult, restMean).map(
          (row) => ({
            ...row,
            note:
              row.note ??
              `baseline: telemetry off, mean of a run before (${restResult.requestsPerSecond} req/s) and after (${restAgain.requestsPerSecond} req/s)`,
          }),
        ),
        fixedRateRow(
          'cached REST BenchOrders, telemetry on (OTLP, always_on)',
          tracedPaced,
          restPacedAgain,
          paced,
        ),
        {
          benchmark: 'cached REST BenchOrders',
          metric: 'log written per call',
          value: logBytesPerCall,
          unit: 'bytes',
          note: 'LOG_LEVEL=info, to a file: the audit line (a 2xx REST call writes its request line at debug)',
        },
        {
          benchmark: 'cached GraphQL BenchOrders',
          metric: 'log written per call',
          value: gqlLogBytesPerCall,
          unit: 'bytes',
          note: 'LOG_LEVEL=info, to a file: the audit line of its function call (then no request line at info)',
        },
      ];
    } finally {
      await bare?.stop();
      await traced?.stop();
      await sink?.stop();
      await app?.stop();
      await rm(scratch, { recursive: true, force: true });
    }
  },
};
