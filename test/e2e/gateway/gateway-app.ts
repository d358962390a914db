import 'reflect-metadata';
import { cp } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { HealthModule } from '../../../src/common/health/health.module.js';
import { setLogLevel } from '../../../src/common/logging/logger.js';
import { ConfigModule } from '../../../src/config/config.module.js';
import { EnvConfig } from '../../../src/config/env.dto.js';
import { startKustoEmulator, type RunningKustoEmulator } from '@kqlgate/kusto-emulator';
import { CatalogModule } from '../../../src/modules/catalog/catalog.module.js';
import { FunctionCatalogService } from '../../../src/modules/catalog/function-catalog.service.js';
import { GraphqlModule } from '../../../src/modules/graphql/graphql.module.js';
import {
  KustoQueryClient,
  type KustoQueryOptions,
  type RawResultTable,
} from '../../../src/modules/query/kusto-query.client.js';
import type { Principal } from '../../../src/modules/auth/principal.js';
import type { CredentialHeaders } from '../../../src/modules/auth/request-authenticator.js';
import { REQUEST_AUTHENTICATOR } from '../../../src/modules/query/query-hooks.js';
import { QueryModule } from '../../../src/modules/query/query.module.js';
import { RestModule } from '../../../src/modules/rest/rest.module.js';
import { ExplorerModule } from '../../../src/modules/explorer/explorer.module.js';
import { removeDir, tempDir } from '../../utils/temp-dir.js';

/** Records every query text and parameter set the gateway sends, then runs it for real. */
export class RecordingKustoClient extends KustoQueryClient {
  readonly sent: { csl: string; parameters: Record<string, string | number | boolean> }[] = [];

  override async query(csl: string, options: KustoQueryOptions = {}): Promise<RawResultTable> {
    this.sent.push({ csl, parameters: { ...options.parameters } });
    return super.query(csl, options);
  }
}

/**
 * Test credentials without the auth module: `x-test-principal: {"roles":[…],"claims":{…}}`. The gateway's
 * own permissive hooks apply, which is what these tests exercise (auth has its own e2e suite).
 */
class HeaderAuthenticator {
  authenticate(headers: CredentialHeaders & { 'x-test-principal'?: string }): Promise<Principal> {
    const raw = headers['x-test-principal'];
    const given = raw ? (JSON.parse(raw) as Partial<Principal>) : {};
    return Promise.resolve({
      id: given.id ?? 'test-user',
      roles: given.roles ?? [],
      scopes: [],
      claims: given.claims ?? {},
      anonymous: !raw,
    });
  }
}

export interface GatewayUnderTest {
  url: string;
  kqlDir: string;
  engine: RunningKustoEmulator;
  kusto: RecordingKustoClient;
  catalog: FunctionCatalogService;
  app: NestFastifyApplication;
  close(): Promise<void>;
}

/**
 * The embedded engine on a free port, a temp copy of kql/, and the gateway modules on 127.0.0.1:0.
 *
 * Not the runtime's parts (startKqlgate, as test/utils/kqlgate-instance.ts starts them), on purpose, and only for
 * gateway.test.ts: it reads every query text and parameter set the gateway sends (RecordingKustoClient) and counts
 * engine queries per call, which needs the query client in the gateway's place and no result cache in between. The runtime builds its own
 * client, and with the embedded engine it runs the engine itself and dials the port that engine bound, so nothing
 * can stand between them; an engine outside the runtime means KQLGATE_ROLE=gateway with KUSTO_CLUSTER_URL, which
 * is the production configuration (closed defaults, no dev tokens, no deploy of kql/ by the gateway).
 */
export async function startGateway(options: { watch?: boolean } = {}): Promise<GatewayUnderTest> {
  setLogLevel(process.env.LOG_LEVEL ?? 'silent');
  const dir = await tempDir('gateway');
  const kqlDir = join(dir, 'kql');
  await cp(resolve(import.meta.dirname, '../../../kql'), kqlDir, { recursive: true });
  const engine = await startKustoEmulator({
    port: 0,
    dataDir: join(dir, 'engine'),
    databases: ['analytics'],
    // As the runtime's engine part: file: external tables of kql/ read kql/reference.
    externalDataRoot: join(kqlDir, 'reference'),
  });
  const config = Object.assign(new EnvConfig(), { KUSTO_EMBEDDED_PORT: engine.port, KQL_DIR: kqlDir });
  const kusto = new RecordingKustoClient(engine.url, 'analytics');

  @Module({})
  class GatewayTestModule {
    static forRoot(): DynamicModule {
      return {
        module: GatewayTestModule,
        imports: [
          ConfigModule.forRoot(config),
          HealthModule,
          CatalogModule.forRoot({ kqlDir, watch: options.watch ?? false }),
          QueryModule.forRoot({
            kustoClient: kusto,
            hooks: [{ provide: REQUEST_AUTHENTICATOR, useClass: HeaderAuthenticator }],
          }),
          RestModule,
          GraphqlModule,
          ExplorerModule,
        ],
      };
    }
  }

  const app = await NestFactory.create<NestFastifyApplication>(
    GatewayTestModule.forRoot(),
    new FastifyAdapter(),
    {
      logger: process.env.GATEWAY_TEST_LOGS ? undefined : false,
    },
  );
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}`,
    kqlDir,
    engine,
    kusto,
    catalog: app.get(FunctionCatalogService),
    app,
    async close() {
      await app.close();
      kusto.close();
      await engine.close();
      await removeDir(dir);
    },
  };
}
