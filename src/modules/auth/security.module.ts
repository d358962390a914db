import {
  Global,
  Inject,
  Injectable,
  Module,
  Optional,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { HttpAdapterHost, ModuleRef } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { ReadinessRegistry } from '../../common/health/readiness-registry.js';
import { createLogger } from '../../common/logging/logger.js';
import { EnvConfig } from '../../config/env.dto.js';
import { QueryAuditLogger } from '../audit/query-audit.logger.js';
import { CacheInvalidator, type BatchCommitSource } from '../cache/cache-invalidator.js';
import { CacheMetrics } from '../cache/cache-metrics.js';
import type { ResultCacheStore, TableGenerations } from '../cache/cache-store.js';
import { MemoryCacheStore, MemoryTableGenerations } from '../cache/memory-cache.store.js';
import { QueryResultCache } from '../cache/query-result-cache.js';
import { RedisCacheStore, RedisTableGenerations } from '../cache/redis-cache.store.js';
import { RedisOutageMonitor } from '../cache/redis-outage.monitor.js';
import { redisReadiness } from '../cache/redis-readiness.js';
import { TableLineage } from '../cache/table-lineage.js';
import {
  AUTHORIZATION_POLICY,
  QUERY_RATE_LIMITER,
  QUERY_RESULT_CACHE,
  REQUEST_AUTHENTICATOR,
} from '../query/query-hooks.js';
import { MemoryThrottlerStorage, RedisThrottlerStorage } from '../rate-limit/cost-throttler.storage.js';
import { EngineConcurrencyGate } from '../rate-limit/engine-concurrency-gate.js';
import { FallbackThrottlerStorage } from '../rate-limit/fallback-throttler.storage.js';
import { QueryRateLimiter } from '../rate-limit/query-rate-limiter.js';
import { buildAuthComponents } from './auth-settings.js';
import { JwksController } from './jwks.controller.js';
import {
  AUTH_COMPONENTS,
  SECURITY_AUDIT,
  SecurityAuthorizationPolicy,
  SecurityRateLimiter,
  SecurityRequestAuthenticator,
  SecurityResultCache,
} from './security-hooks.js';
import { registerSecurityHttpHooks } from './security-http.hooks.js';

/** The shared Redis connection (REDIS_URL) or null for in-process state. */
export const SECURITY_REDIS = Symbol('kqlgate:SecurityRedis');
const CACHE_BACKEND = Symbol('kqlgate:CacheBackend');

interface CacheBackend {
  readonly store: ResultCacheStore;
  readonly generations: TableGenerations;
}

const HOOKS_REGISTERED = Symbol.for('kqlgate.securityHttpHooks');

/**
 * Wires the hook points, the Fastify header hooks, the Redis connection, ingestion-aware invalidation and the
 * readiness check of Redis; shuts the connection down with the app.
 */
@Injectable()
export class SecurityLifecycle implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = createLogger('security');
  private detach?: () => void;

  constructor(
    private readonly moduleRef: ModuleRef,
    private readonly invalidator: CacheInvalidator,
    @Inject(SECURITY_REDIS) private readonly redis: Redis | null,
    private readonly redisOutage: RedisOutageMonitor,
    @Optional() private readonly adapterHost?: HttpAdapterHost,
    @Optional() private readonly readiness?: ReadinessRegistry,
  ) {}

  async onModuleInit(): Promise<void> {
    const instance = this.adapterHost?.httpAdapter?.getInstance<
      FastifyInstance & { [HOOKS_REGISTERED]?: boolean }
    >();
    if (instance && typeof instance.addHook === 'function' && !instance[HOOKS_REGISTERED]) {
      registerSecurityHttpHooks(instance);
      instance[HOOKS_REGISTERED] = true;
    }
    const events = await this.ingestionEvents();
    if (events) {
      this.detach = this.invalidator.attach(events);
    } else {
      this.logger.info(
        'no in-process ingestion: cached results are invalidated by TTL and, with REDIS_URL, by other replicas',
      );
    }
    const redis = this.redis;
    if (redis) {
      this.readiness?.register('redis', () => redisReadiness(redis, this.redisOutage));
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.detach?.();
    await this.invalidator.settled();
    if (this.redis && this.redis.status !== 'end') {
      await this.redis.quit().catch(() => this.redis?.disconnect());
    }
  }

  /** IngestionEvents when the ingestion module runs in this process; resolved loosely so neither module imports the other. */
  private async ingestionEvents(): Promise<BatchCommitSource | undefined> {
    try {
      const { IngestionEvents } = await import('../../ingestion/ingestion-events.js');
      return this.moduleRef.get(IngestionEvents, { strict: false });
    } catch {
      return undefined;
    }
  }
}

/**
 * Authentication (JWT/JWKS, API keys, dev tokens), per-function authorization and claim binding, the result cache
 * and rate limits, bound to the query hook tokens of `query-hooks.ts`. Global, so the QueryModule's
 * `FunctionQueryService` sees these bindings; needs the global ConfigModule (EnvConfig).
 */
@Global()
@Module({
  controllers: [JwksController],
  providers: [
    { provide: SECURITY_AUDIT, useFactory: () => new QueryAuditLogger() },
    {
      provide: AUTH_COMPONENTS,
      inject: [EnvConfig],
      useFactory: (config: EnvConfig) => buildAuthComponents(config),
    },
    { provide: RedisOutageMonitor, useFactory: () => new RedisOutageMonitor(createLogger('redis')) },
    {
      provide: SECURITY_REDIS,
      inject: [EnvConfig, RedisOutageMonitor],
      useFactory: (config: EnvConfig, outage: RedisOutageMonitor): Redis | null => {
        if (!config.REDIS_URL) {
          return null;
        }
        const logger = createLogger('redis');
        // Fail fast instead of queueing or hanging (a partitioned Redis does not refuse, it stays silent): while
        // Redis is away, limits and coalescing fall back to this replica's state and results go uncached.
        const redis = new Redis(config.REDIS_URL, {
          maxRetriesPerRequest: 1,
          enableOfflineQueue: false,
          commandTimeout: 2_000,
        });
        // One line per outage and one per recovery (RedisOutageMonitor), not one per reconnection attempt.
        redis.on('error', (error: Error) => {
          logger.debug({ err: error.message }, 'redis connection error');
          outage.failed(error);
        });
        redis.on('ready', () => outage.recovered());
        return redis;
      },
    },
    {
      provide: CACHE_BACKEND,
      inject: [EnvConfig, SECURITY_REDIS],
      useFactory: (config: EnvConfig, redis: Redis | null): CacheBackend =>
        redis
          ? { store: new RedisCacheStore(redis), generations: new RedisTableGenerations(redis) }
          : {
              store: new MemoryCacheStore(config.CACHE_MAX_BYTES),
              generations: new MemoryTableGenerations(),
            },
    },
    {
      provide: EngineConcurrencyGate,
      inject: [EnvConfig],
      useFactory: (config: EnvConfig) =>
        new EngineConcurrencyGate(config.ENGINE_MAX_CONCURRENCY, config.ENGINE_QUEUE_LIMIT),
    },
    {
      provide: QueryResultCache,
      inject: [CACHE_BACKEND, EngineConcurrencyGate, SECURITY_REDIS, RedisOutageMonitor],
      useFactory: (
        backend: CacheBackend,
        gate: EngineConcurrencyGate,
        redis: Redis | null,
        outage: RedisOutageMonitor,
      ) =>
        new QueryResultCache({
          store: backend.store,
          generations: backend.generations,
          runLoad: (load) => gate.run(load),
          logger: createLogger('cache'),
          metrics: new CacheMetrics(() => backend.store.size()),
          outage: redis ? outage : undefined,
        }),
    },
    {
      provide: CacheInvalidator,
      inject: [EnvConfig, CACHE_BACKEND, QueryResultCache],
      useFactory: async (config: EnvConfig, backend: CacheBackend, cache: QueryResultCache) =>
        new CacheInvalidator(
          backend.generations,
          await TableLineage.fromKqlDir(config.KQL_DIR),
          cache.metrics,
          createLogger('cache'),
        ),
    },
    {
      provide: QueryRateLimiter,
      inject: [EnvConfig, SECURITY_REDIS, RedisOutageMonitor],
      useFactory: (config: EnvConfig, redis: Redis | null, outage: RedisOutageMonitor) =>
        new QueryRateLimiter(
          redis
            ? new FallbackThrottlerStorage(new RedisThrottlerStorage(redis), outage)
            : new MemoryThrottlerStorage(),
          { points: config.RATE_LIMIT_POINTS, windowSeconds: config.RATE_LIMIT_WINDOW_SECONDS },
        ),
    },
    SecurityRequestAuthenticator,
    SecurityAuthorizationPolicy,
    SecurityRateLimiter,
    SecurityResultCache,
    SecurityLifecycle,
    { provide: REQUEST_AUTHENTICATOR, useExisting: SecurityRequestAuthenticator },
    { provide: AUTHORIZATION_POLICY, useExisting: SecurityAuthorizationPolicy },
    { provide: QUERY_RATE_LIMITER, useExisting: SecurityRateLimiter },
    { provide: QUERY_RESULT_CACHE, useExisting: SecurityResultCache },
  ],
  exports: [
    REQUEST_AUTHENTICATOR,
    AUTHORIZATION_POLICY,
    QUERY_RATE_LIMITER,
    QUERY_RESULT_CACHE,
    AUTH_COMPONENTS,
    QueryResultCache,
    CacheInvalidator,
    EngineConcurrencyGate,
  ],
})
export class SecurityModule {}
