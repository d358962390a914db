/**
 * Cached function calls through the whole gateway (JWT validation, authorization, claim binding, rate limit,
 * result cache, REST/GraphQL encoding) against a bare Fastify route answering the same JSON, in the same run.
 * Goals (issue 8): cached REST ≥ 50 % of bare throughput; p99 ≤ 5 ms at a fixed 1,000 req/s.
 */
import 'reflect-metadata';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import type { BenchContext, BenchRow, BenchSuite } from '../bench-types.js';
import { HealthModule } from '../../src/common/health/health.module.js';
import { setLogLevel } from '../../src/common/logging/logger.js';
import { ConfigModule } from '../../src/config/config.module.js';
import { loadConfig } from '../../src/config/load-config.js';
import { startKustoEmulator } from '../../src/embedded/kusto/kusto-emulator.js';
import {
  DevSigningKeyStore,
  DEV_AUDIENCE,
  DEV_ISSUER,
} from '../../src/modules/auth/dev-signing-key.store.js';
import { FunctionAuthorizationPolicy } from '../../src/modules/auth/function-authorization.policy.js';
import { ApiKeyStore } from '../../src/modules/auth/api-key.store.js';
import { JwksSource } from '../../src/modules/auth/jwks-source.js';
import { DEFAULT_JWT_ALGORITHMS, JwtVerifier } from '../../src/modules/auth/jwt-verifier.js';
import { RequestAuthenticator } from '../../src/modules/auth/request-authenticator.js';
import { MemoryCacheStore, MemoryTableGenerations } from '../../src/modules/cache/memory-cache.store.js';
import { QueryResultCache } from '../../src/modules/cache/query-result-cache.js';
import { MemoryThrottlerStorage } from '../../src/modules/rate-limit/cost-throttler.storage.js';
import { QueryRateLimiter } from '../../src/modules/rate-limit/query-rate-limiter.js';
import { SecurityModule } from '../../src/modules/auth/security.module.js';
import { CatalogModule } from '../../src/modules/catalog/catalog.module.js';
import { GraphqlModule } from '../../src/modules/graphql/graphql.module.js';
import { KustoQueryClient } from '../../src/modules/query/kusto-query.client.js';
import { QueryModule } from '../../src/modules/query/query.module.js';
import { RestModule } from '../../src/modules/rest/rest.module.js';

const DURATION_S = 5;
const CONNECTIONS = 10;
const FIXED_RATE = 1000;

const FUNCTION_KQL = `// Bench: a small tenant-scoped result.
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

@Module({})
class BenchGatewayModule {
  static forRoot(env: NodeJS.ProcessEnv, kusto: KustoQueryClient): DynamicModule {
    return {
      module: BenchGatewayModule,
      imports: [
        ConfigModule.forRoot(loadConfig(env)),
        HealthModule,
        CatalogModule.forRoot(),
        QueryModule.forRoot({ kustoClient: kusto }),
        RestModule,
        GraphqlModule,
        SecurityModule,
      ],
    };
  }
}

interface Target {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
}

async function measure(target: Target, extra: Partial<autocannon.Options> = {}): Promise<autocannon.Result> {
  const options = { ...target, connections: CONNECTIONS };
  await autocannon({ ...options, duration: 1 });
  return autocannon({ ...options, duration: DURATION_S, ...extra });
}

function rows(
  name: string,
  result: autocannon.Result,
  bare?: autocannon.Result,
  fixedRate = false,
): BenchRow[] {
  const errors = result.errors + result.non2xx;
  const note = errors > 0 ? `${errors} errors/non-2xx` : fixedRate ? `fixed ${FIXED_RATE} req/s` : undefined;
  const out: BenchRow[] = [];
  if (!fixedRate) {
    out.push({
      benchmark: name,
      metric: 'throughput',
      value: result.requests.average,
      unit: 'req/s',
      ...(bare
        ? { baseline: bare.requests.average, ratio: result.requests.average / bare.requests.average }
        : {}),
      note,
    });
  }
  out.push({
    benchmark: name,
    metric: fixedRate ? `latency p99 @${FIXED_RATE}/s` : 'latency p99',
    value: result.latency.p99,
    unit: 'ms',
    ...(bare
      ? { baseline: bare.latency.p99, ratio: result.latency.p99 / Math.max(bare.latency.p99, 1e-9) }
      : {}),
    note,
  });
  return out;
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
  const authenticator = new RequestAuthenticator(verifier, ApiKeyStore.empty());
  const policy = new FunctionAuthorizationPolicy();
  const limiter = new QueryRateLimiter(new MemoryThrottlerStorage(), { points: 1e12, windowSeconds: 60 });
  const cache = new QueryResultCache({
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
    setLogLevel('silent');
    const dir = await mkdtemp(join(tmpdir(), 'kqlgate-bench-cache-'));
    const engine = await startKustoEmulator({
      port: 0,
      dataDir: join(dir, 'kusto'),
      databases: ['analytics'],
    });
    let app: NestFastifyApplication | undefined;
    const bare = Fastify({ logger: false });
    try {
      const kqlDir = join(dir, 'kql');
      await mkdir(join(kqlDir, 'tables'), { recursive: true });
      await mkdir(join(kqlDir, 'functions'), { recursive: true });
      await writeFile(
        join(kqlDir, 'tables', 'orders.kql'),
        '.create-merge table Orders (TenantId: string, OrderId: string, TotalAmount: real)\n',
      );
      await writeFile(join(kqlDir, 'functions', 'BenchOrders.kql'), FUNCTION_KQL);
      const kusto = new KustoQueryClient(engine.url, 'analytics');
      app = await NestFactory.create<NestFastifyApplication>(
        BenchGatewayModule.forRoot(
          {
            DATA_DIR: dir,
            KQL_DIR: kqlDir,
            KUSTO_EMBEDDED_PORT: String(engine.port),
            LOG_LEVEL: 'silent',
            DEMO_RATE: '0',
            RATE_LIMIT_POINTS: '1000000000',
          },
          kusto,
        ),
        new FastifyAdapter(),
        { logger: false },
      );
      await app.listen(0, '127.0.0.1');
      const address = app.getHttpServer().address();
      const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
      await kusto.command(
        `.ingest inline into table Orders <|\n${Array.from({ length: 20 }, (_, i) => `A,o-${i},${i * 1.5}`).join('\n')}`,
      );
      const token = await new DevSigningKeyStore(dir).sign({
        subject: 'bench',
        roles: ['analyst'],
        claims: { tid: 'A' },
      });
      const auth = { authorization: `Bearer ${token}` };

      const restUrl = `${base}/api/v1/functions/BenchOrders`;
      const warm = await fetch(restUrl, { headers: auth });
      if (warm.status !== 200) {
        throw new Error(`cache bench: ${restUrl} answered ${warm.status}: ${await warm.text()}`);
      }
      const body = await warm.text();
      const gqlBody = JSON.stringify({ query: '{ BenchOrders { OrderId TenantId TotalAmount } }' });
      const gqlWarm = await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: gqlBody,
      });
      if (gqlWarm.status !== 200) {
        throw new Error(`cache bench: /graphql answered ${gqlWarm.status}: ${await gqlWarm.text()}`);
      }

      bare.get('/same', (_request, reply) =>
        reply.header('content-type', 'application/json; charset=utf-8').send(body),
      );
      const bareUrl = `${await bare.listen({ port: 0, host: '127.0.0.1' })}/same`;

      ctx.log(`bare Fastify (same ${body.length}-byte JSON), ${CONNECTIONS} connections, ${DURATION_S}s`);
      const bareResult = await measure({ url: bareUrl });
      ctx.log('cached REST through the gateway (JWT + authz + rate limit + cache)');
      const restResult = await measure({ url: restUrl, headers: auth });
      ctx.log('cached GraphQL through the gateway');
      const gqlResult = await measure({
        url: `${base}/graphql`,
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: gqlBody,
      });
      ctx.log(`fixed rate ${FIXED_RATE} req/s: bare and cached REST`);
      const bareFixed = await measure({ url: bareUrl }, { overallRate: FIXED_RATE });
      const restFixed = await measure({ url: restUrl, headers: auth }, { overallRate: FIXED_RATE });

      ctx.log('security layer alone (in-process, cached JWT + authz + claims + rate limit + cache hit)');
      const micros = await securityLayerMicros(dir, 20_000);

      return [
        {
          benchmark: 'security layer per cached call (in-process)',
          metric: 'time per call',
          value: micros,
          unit: 'µs',
          note: 'authenticate + authorize + bind claims + rate limit + cache hit',
        },
        ...rows('bare fastify, same JSON', bareResult),
        ...rows('cached REST BenchOrders', restResult, bareResult),
        ...rows('cached GraphQL BenchOrders', gqlResult, bareResult),
        ...rows('bare fastify, same JSON', bareFixed, undefined, true),
        ...rows('cached REST BenchOrders', restFixed, bareFixed, true),
      ];
    } finally {
      await bare.close();
      await app?.close();
      await engine.close();
      await rm(dir, { recursive: true, force: true });
    }
  },
};
