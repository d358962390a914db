import { Global, Injectable, Module, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Redis } from 'ioredis';
import { createLogger } from '../../common/logging/logger.js';
import { EnvConfig } from '../../config/env.dto.js';
import { QUERY_RESULT_CACHE } from '../query/query-hooks.js';
import { EngineConcurrencyGate } from '../rate-limit/engine-concurrency-gate.js';
import { RedisOutageMonitor } from '../redis/redis-outage.monitor.js';
import { SHARED_REDIS } from '../redis/redis.module.js';
import { CacheInvalidator } from './cache-invalidator.js';
import { CacheMetrics } from './cache-metrics.js';
import type { ResultCacheStore, TableGenerations } from './cache-store.js';
import { inProcessIngestionEvents } from './in-process-ingestion-events.js';
import { MemoryCacheStore, MemoryTableGenerations } from './memory-cache.store.js';
import { StoreBackedResultCache } from './store-backed-result-cache.js';
import { RedisCacheStore, RedisTableGenerations } from './redis-cache.store.js';
import { TableLineage } from './table-lineage.js';

const CACHE_BACKEND = Symbol('kqlgate:CacheBackend');

interface CacheBackend {
  readonly store: ResultCacheStore;
  readonly generations: TableGenerations;
}

/** Invalidates cached results as ingestion commits batches, when ingestion runs in this process. */
@Injectable()
export class CacheLifecycle implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = createLogger('cache');
  private detach?: () => void;

  constructor(
    private readonly moduleRef: ModuleRef,
    private readonly invalidator: CacheInvalidator,
  ) {}

  async onModuleInit(): Promise<void> {
    const events = await inProcessIngestionEvents(this.moduleRef);
    if (!this.invalidator.bumpsOnCommit) {
      this.logger.info(
        'cached results are invalidated through Redis: the replica that commits bumps the table generations as it publishes the commit',
      );
    } else if (events) {
      this.detach = this.invalidator.attach(events);
    } else {
      this.logger.info(
        'no in-process ingestion: cached results are invalidated by TTL and, with REDIS_URL, by other replicas',
      );
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.detach?.();
    await this.invalidator.settled();
  }
}

/**
 * The result cache of the query path (in Redis when REDIS_URL is set, else in memory), invalidated by ingestion;
 * engine loads run through the engine-concurrency gate. Its headers are http-cache-headers.ts. Global; needs
 * ConfigModule, RedisModule and RateLimitModule.
 */
@Global()
@Module({
  providers: [
    {
      provide: CACHE_BACKEND,
      inject: [EnvConfig, SHARED_REDIS],
      useFactory: (config: EnvConfig, redis: Redis | null): CacheBackend =>
        redis
          ? { store: new RedisCacheStore(redis), generations: new RedisTableGenerations(redis) }
          : {
              store: new MemoryCacheStore(config.CACHE_MAX_BYTES),
              generations: new MemoryTableGenerations(),
            },
    },
    {
      provide: StoreBackedResultCache,
      inject: [CACHE_BACKEND, EngineConcurrencyGate, SHARED_REDIS, RedisOutageMonitor],
      useFactory: (
        backend: CacheBackend,
        gate: EngineConcurrencyGate,
        redis: Redis | null,
        outage: RedisOutageMonitor,
      ) =>
        new StoreBackedResultCache({
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
      inject: [EnvConfig, CACHE_BACKEND, StoreBackedResultCache],
      useFactory: async (config: EnvConfig, backend: CacheBackend, cache: StoreBackedResultCache) =>
        new CacheInvalidator(
          backend.generations,
          await TableLineage.fromKqlDir(config.KQL_DIR),
          cache.metrics,
          createLogger('cache'),
        ),
    },
    CacheLifecycle,
    { provide: QUERY_RESULT_CACHE, useExisting: StoreBackedResultCache },
  ],
  exports: [QUERY_RESULT_CACHE, StoreBackedResultCache, CacheInvalidator],
})
export class CacheModule {}
