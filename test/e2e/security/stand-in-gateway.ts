import 'reflect-metadata';
import {
  Controller,
  Get,
  HttpException,
  Inject,
  Module,
  Param,
  Query,
  Req,
  type DynamicModule,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import { HealthModule } from '../../../src/common/health/health.module.js';
import { setLogLevel } from '../../../src/common/logging/logger.js';
import { ConfigModule } from '../../../src/config/config.module.js';
import { loadConfig } from '../../../src/config/load-config.js';
import { IngestionEvents } from '../../../src/ingestion/ingestion-events.js';
import { SecurityModule } from '../../../src/modules/auth/security.module.js';
import {
  AUTHORIZATION_POLICY,
  QUERY_RATE_LIMITER,
  QUERY_RESULT_CACHE,
  REQUEST_AUTHENTICATOR,
  type AuthorizationPolicy,
  type QueryFunctionInfo,
  type QueryRateLimiter,
  type QueryResultCache,
  type RequestAuthenticator,
} from '../../../src/modules/query/query-hooks.js';

/**
 * A minimal stand-in for the gateway's REST edge and `FunctionQueryService.execute`, calling the hooks in the
 * documented order (query-hooks.ts) against a counting in-memory "engine". It lets the security layer be tested
 * over real HTTP in a real Nest + Fastify app independently of the catalog and the Kusto engine.
 */
export const TEST_FUNCTIONS: Record<string, QueryFunctionInfo> = {
  TenantOrders: {
    name: 'TenantOrders',
    anonymous: false,
    roles: ['analyst', 'support'],
    scopes: [],
    boundParameters: { tenantId: 'tid' },
    cost: 1,
    cacheTtlSeconds: 60,
    tables: ['Orders'],
  },
  Payments: {
    name: 'Payments',
    anonymous: false,
    roles: [],
    scopes: [],
    boundParameters: {},
    cost: 2,
    cacheTtlSeconds: 60,
    tables: ['Payments'],
  },
  Expensive: {
    name: 'Expensive',
    anonymous: false,
    roles: [],
    scopes: [],
    boundParameters: {},
    cost: 50,
    cacheTtlSeconds: 60,
    tables: ['Payments'],
  },
  PublicStats: {
    name: 'PublicStats',
    anonymous: true,
    roles: [],
    scopes: [],
    boundParameters: {},
    cost: 1,
    cacheTtlSeconds: 60,
    tables: ['Orders'],
  },
};

export class FakeEngine {
  queries = 0;
  rows: { TenantId: string; OrderId: string; Table: string }[] = [
    { TenantId: 'A', OrderId: 'a-1', Table: 'Orders' },
    { TenantId: 'B', OrderId: 'b-1', Table: 'Orders' },
    { TenantId: 'A', OrderId: 'p-1', Table: 'Payments' },
  ];
  delayMs = 20;

  async run(fn: QueryFunctionInfo, params: Record<string, unknown>) {
    this.queries += 1;
    await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    const table = fn.tables[0];
    return this.rows.filter(
      (row) => row.Table === table && (params.tenantId === undefined || row.TenantId === params.tenantId),
    );
  }
}

export const FAKE_ENGINE = Symbol('FakeEngine');

@Controller('api/v1/functions')
class StandInFunctionController {
  constructor(
    @Inject(REQUEST_AUTHENTICATOR) private readonly authenticator: RequestAuthenticator,
    @Inject(AUTHORIZATION_POLICY) private readonly policy: AuthorizationPolicy,
    @Inject(QUERY_RATE_LIMITER) private readonly limiter: QueryRateLimiter,
    @Inject(QUERY_RESULT_CACHE) private readonly cache: QueryResultCache,
    @Inject(FAKE_ENGINE) private readonly engine: FakeEngine,
  ) {}

  @Get(':name')
  async run(
    @Param('name') name: string,
    @Query() query: Record<string, string>,
    @Req() request: FastifyRequest,
  ) {
    try {
      const principal = await this.authenticator.authenticate(request.headers, request.ip);
      const fn = TEST_FUNCTIONS[name];
      if (!fn) {
        throw new HttpException({ message: `unknown function ${name}` }, 404);
      }
      await this.policy.authorize(principal, fn);
      const { params, bound } = this.policy.bindClaims(principal, fn, query);
      await this.limiter.consume(principal, fn, fn.cost);
      const outcome = await this.cache.getOrLoad(
        {
          functionName: fn.name,
          tables: fn.tables,
          params,
          boundClaims: bound,
          ttlSeconds: fn.cacheTtlSeconds,
        },
        () => this.engine.run(fn, params),
      );
      return { data: outcome.value, meta: { cache: outcome.result } };
    } catch (error) {
      const status = (error as { httpStatus?: number }).httpStatus;
      if (status) {
        const { code, message } = error as { code: string; message: string };
        throw new HttpException({ code, message }, status);
      }
      throw error;
    }
  }
}

@Module({})
class StandInGatewayModule {
  static forRoot(env: NodeJS.ProcessEnv, engine: FakeEngine, events: IngestionEvents): DynamicModule {
    return {
      module: StandInGatewayModule,
      imports: [ConfigModule.forRoot(loadConfig(env)), HealthModule, SecurityModule],
      controllers: [StandInFunctionController],
      providers: [
        { provide: FAKE_ENGINE, useValue: engine },
        { provide: IngestionEvents, useValue: events },
      ],
    };
  }
}

export interface StandInApp {
  readonly app: NestFastifyApplication;
  readonly url: string;
  readonly engine: FakeEngine;
  readonly events: IngestionEvents;
}

export async function startStandInApp(env: NodeJS.ProcessEnv): Promise<StandInApp> {
  setLogLevel('silent');
  const engine = new FakeEngine();
  const events = new IngestionEvents();
  const app = await NestFactory.create<NestFastifyApplication>(
    StandInGatewayModule.forRoot(env, engine, events),
    new FastifyAdapter(),
    { logger: false },
  );
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { app, url: `http://127.0.0.1:${port}`, engine, events };
}
