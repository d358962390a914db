import { Global, Module } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { EnvConfig } from '../../config/env.dto.js';
import { QUERY_RATE_LIMITER } from '../query/query-hooks.js';
import { RedisOutageMonitor } from '../redis/redis-outage.monitor.js';
import { SHARED_REDIS } from '../redis/redis.module.js';
import { MemoryThrottlerStorage, RedisThrottlerStorage } from './cost-throttler.storage.js';
import { EngineConcurrencyGate } from './engine-concurrency-gate.js';
import { FallbackThrottlerStorage } from './fallback-throttler.storage.js';
import { CostBudgetRateLimiter } from './cost-budget-rate-limiter.js';

/**
 * Per-caller budgets in cost points (in Redis when REDIS_URL is set, else in memory) bound to the query path's
 * rate-limit hook, and the engine-concurrency gate the cache runs its loads through. Their headers are
 * rate-limit-error.ts `rateLimitHeaders`. Global; needs ConfigModule and RedisModule.
 */
@Global()
@Module({
  providers: [
    {
      provide: EngineConcurrencyGate,
      inject: [EnvConfig],
      useFactory: (config: EnvConfig) =>
        new EngineConcurrencyGate(config.ENGINE_MAX_CONCURRENCY, config.ENGINE_QUEUE_LIMIT),
    },
    {
      provide: CostBudgetRateLimiter,
      inject: [EnvConfig, SHARED_REDIS, RedisOutageMonitor],
      useFactory: (config: EnvConfig, redis: Redis | null, outage: RedisOutageMonitor) =>
        new CostBudgetRateLimiter(
          redis
            ? new FallbackThrottlerStorage(new RedisThrottlerStorage(redis), outage)
            : new MemoryThrottlerStorage(),
          { points: config.RATE_LIMIT_POINTS, windowSeconds: config.RATE_LIMIT_WINDOW_SECONDS },
        ),
    },
    { provide: QUERY_RATE_LIMITER, useExisting: CostBudgetRateLimiter },
  ],
  exports: [QUERY_RATE_LIMITER, CostBudgetRateLimiter, EngineConcurrencyGate],
})
export class RateLimitModule {}
