import 'reflect-metadata';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { HealthModule } from '../../../src/common/health/health.module.js';
import { setLogLevel } from '../../../src/common/logging/logger.js';
import { MetricsModule } from '../../../src/common/metrics/metrics.module.js';
import { ConfigModule } from '../../../src/config/config.module.js';
import { loadConfig } from '../../../src/config/load-config.js';
import { startKustoEmulator, type RunningKustoEmulator } from '@kqlgate/kusto-emulator';
import { IngestionEvents } from '../../../src/ingestion/ingestion-events.js';
import { AuthModule } from '../../../src/modules/auth/auth.module.js';
import { CacheModule } from '../../../src/modules/cache/cache.module.js';
import { RateLimitModule } from '../../../src/modules/rate-limit/rate-limit.module.js';
import { RedisModule } from '../../../src/modules/redis/redis.module.js';
import { CatalogModule } from '../../../src/modules/catalog/catalog.module.js';
import { GraphqlModule } from '../../../src/modules/graphql/graphql.module.js';
import { LiveCommitsModule } from '../../../src/modules/live/live-commits.module.js';
import { LiveModule } from '../../../src/modules/live/live.module.js';
import {
  KustoQueryClient,
  type KustoQueryOptions,
  type RawResultTable,
} from '../../../src/modules/query/kusto-query.client.js';
import { QueryModule } from '../../../src/modules/query/query.module.js';
import { RestModule } from '../../../src/modules/rest/rest.module.js';
import { startKqlgateInstance } from '../../utils/kqlgate-instance.js';

/**
 * The gateway with a small KQL directory of its own (two tables, three functions), so that the security tests do
 * not depend on the sample domain.
 *
 * startRealGateway() starts it as `npm start` does (startKqlgate, test/utils/kqlgate-instance.ts): every part, in
 * the threads `npm start` runs them in. startCountingGateway() is the exception, for the tests that count or hold
 * the engine queries at the gateway's client (CountingKustoClient), or run two replicas on one engine: its own
 * module list — catalog, FunctionQueryService, REST, GraphQL, live results and the auth, rate-limit and cache
 * modules — over an embedded engine it starts itself. The runtime builds its own client and, with the embedded
 * engine, dials the port the engine it started bound, so nothing can stand between them; an engine outside the
 * runtime needs KQLGATE_ROLE=gateway with KUSTO_CLUSTER_URL, which is the production configuration (closed
 * defaults, no dev tokens, no deploy of kql/ by the gateway) and has no in-process ingestion (IngestionEvents).
 */
export const TEST_KQL_TABLES = `
.create-merge table Orders (TenantId: string, OrderId: string, TotalAmount: real)
.create-merge table Payments (TenantId: string, PaymentId: string, Amount: real)
`;

export const TEST_KQL_FUNCTIONS: Record<string, string> = {
  TenantOrderList: `// Orders of the caller's tenant.
//
// @expose roles=analyst,support cache=60s cost=1
// @bind tenantId=claim:tid
.create-or-alter function with (docstring = 'Orders of the caller tenant', folder = 'test')
TenantOrderList(tenantId: string, minAmount: real = 0.0) {
    Orders
    | where TenantId == tenantId and TotalAmount >= minAmount
    | project OrderId, TenantId, TotalAmount
    | order by OrderId asc
}
`,
  TenantPayments: `// Payments of the caller's tenant.
//
// @expose roles=analyst cache=60s cost=25
// @bind tenantId=claim:tid
.create-or-alter function with (docstring = 'Payments of the caller tenant', folder = 'test')
TenantPayments(tenantId: string) {
    Payments
    | where TenantId == tenantId
    | project PaymentId, Amount
    | order by PaymentId asc
}
`,
  PublicOrderCount: `// How many orders exist, for a public status page.
//
// @expose anonymous cache=60s cost=1
.create-or-alter function with (docstring = 'Total number of orders', folder = 'test')
PublicOrderCount() {
    Orders
    | summarize Orders = count()
}
`,
};

export class CountingKustoClient extends KustoQueryClient {
  queries = 0;
  /** Holds each query this long before sending it, so a test can keep the engine's slots busy. */
  delayMs = 0;

  override async query(csl: string, options?: KustoQueryOptions): Promise<RawResultTable> {
    this.queries += 1;
    if (this.delayMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    }
    return super.query(csl, options);
  }
}

export interface RealGateway {
  readonly app: NestFastifyApplication;
  readonly url: string;
  /** A management client of the gateway's engine (ingestInline), not the one the gateway queries with. */
  readonly kusto: Pick<KustoQueryClient, 'command'>;
  /** The ingestion's events in the gateway's process (KQLGATE_ROLE=all): its batch commits. */
  readonly events: IngestionEvents;
  close(): Promise<void>;
}

/** startCountingGateway()'s: the gateway's own query client, counted, and the engine it started. */
export interface CountingGateway extends RealGateway {
  readonly engine: RunningKustoEmulator;
  readonly kusto: CountingKustoClient;
}

@Module({})
class RealGatewayTestModule {
  static forRoot(env: NodeJS.ProcessEnv, kusto: CountingKustoClient, events: IngestionEvents): DynamicModule {
    return {
      module: RealGatewayTestModule,
      imports: [
        ConfigModule.forRoot(loadConfig(env)),
        HealthModule,
        MetricsModule,
        CatalogModule.forRoot(),
        QueryModule.forRoot({ kustoClient: kusto }),
        RestModule,
        GraphqlModule,
        AuthModule,
        RedisModule,
        RateLimitModule,
        CacheModule,
        // As in AppModule: the commit bus carries ingestion commits (and, with Redis, the cache generations'
        // bump) to every replica, and live results follow them.
        LiveCommitsModule,
        LiveModule,
      ],
      providers: [{ provide: IngestionEvents, useValue: events }],
    };
  }
}

export async function writeTestKql(
  dir: string,
  functions: Record<string, string> = TEST_KQL_FUNCTIONS,
): Promise<string> {
  const kqlDir = join(dir, 'kql');
  await mkdir(join(kqlDir, 'tables'), { recursive: true });
  await mkdir(join(kqlDir, 'functions'), { recursive: true });
  await writeFile(join(kqlDir, 'tables', 'test.kql'), TEST_KQL_TABLES);
  for (const [name, text] of Object.entries(functions)) {
    await writeFile(join(kqlDir, 'functions', `${name}.kql`), text);
  }
  return kqlDir;
}

/**
 * Starts kqlgate as `npm start` does, on free ports, with the test KQL directory in `dir` and its data in a
 * directory of its own; `env` adds auth/Redis/limit settings, `functions` replaces the three test functions (same
 * two tables).
 */
export async function startRealGateway(
  dir: string,
  env: Record<string, string>,
  options: { functions?: Record<string, string> } = {},
): Promise<RealGateway> {
  const kqlDir = await writeTestKql(dir, options.functions);
  const instance = await startKqlgateInstance({ KQL_DIR: kqlDir, ...env });
  const kusto = new KustoQueryClient(instance.config.kustoClusterUrl, instance.config.KUSTO_DATABASE);
  return {
    app: instance.app,
    url: instance.url,
    kusto,
    events: instance.app.get(IngestionEvents),
    close: async () => {
      kusto.close();
      await instance.stop();
    },
  };
}

/**
 * The exception (see the module comment): the embedded engine (own data dir, unless shared) and the gateway's
 * modules with a counting query client; `env` adds auth/Redis/limit settings, `shared.functions` replaces the three
 * test functions (same two tables).
 */
export async function startCountingGateway(
  dir: string,
  env: Record<string, string>,
  shared: { engine?: RunningKustoEmulator; functions?: Record<string, string> } = {},
): Promise<CountingGateway> {
  setLogLevel('silent');
  const kqlDir = await writeTestKql(dir, shared.functions);
  // A second replica reuses the first one's engine (and leaves closing it to that replica).
  const engine =
    shared.engine ??
    (await startKustoEmulator({ port: 0, dataDir: join(dir, 'kusto'), databases: ['analytics'] }));
  const kusto = new CountingKustoClient(engine.url, 'analytics');
  const events = new IngestionEvents();
  const fullEnv = {
    DATA_DIR: dir,
    KQL_DIR: kqlDir,
    KUSTO_EMBEDDED_PORT: String(engine.port),
    LOG_LEVEL: 'silent',
    DEMO_RATE: '0',
    ...env,
  };
  const app = await NestFactory.create<NestFastifyApplication>(
    RealGatewayTestModule.forRoot(fullEnv, kusto, events),
    new FastifyAdapter(),
    { logger: process.env.KQLGATE_TEST_NEST_LOG ? ['error', 'warn'] : false },
  );
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    app,
    url: `http://127.0.0.1:${port}`,
    engine,
    kusto,
    events,
    close: async () => {
      await app.close();
      if (!shared.engine) {
        await engine.close();
      }
    },
  };
}

/** Appends rows to a table of the gateway's engine the way a management client does (`.ingest inline`). */
export async function ingestInline(
  gateway: Pick<RealGateway, 'kusto'>,
  table: string,
  csvRows: string[],
): Promise<void> {
  await gateway.kusto.command(`.ingest inline into table ${table} <|\n${csvRows.join('\n')}`);
}
