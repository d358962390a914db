import {
  Global,
  Inject,
  Injectable,
  Module,
  Optional,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { Redis } from 'ioredis';
import { ReadinessRegistry } from '../../common/health/readiness-registry.js';
import { createLogger } from '../../common/logging/logger.js';
import { EnvConfig } from '../../config/env.dto.js';
import { RedisOutageMonitor } from './redis-outage.monitor.js';
import { redisReadiness } from './redis-readiness.js';

/** The Redis connection (REDIS_URL) the cache and the rate limits share across replicas, or null for in-process state. */
export const SHARED_REDIS = Symbol('kqlgate:SharedRedis');

/** Registers the readiness check of Redis and closes the connection with the app. */
@Injectable()
export class RedisLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(SHARED_REDIS) private readonly redis: Redis | null,
    private readonly outage: RedisOutageMonitor,
    @Optional() private readonly readiness?: ReadinessRegistry,
  ) {}

  onModuleInit(): void {
    const redis = this.redis;
    if (redis) {
      this.readiness?.register('redis', () => redisReadiness(redis, this.outage));
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.redis && this.redis.status !== 'end') {
      await this.redis.quit().catch(() => this.redis?.disconnect());
    }
  }
}

/** The shared Redis connection and its outage monitor. Global; needs the global ConfigModule (EnvConfig). */
@Global()
@Module({
  providers: [
    { provide: RedisOutageMonitor, useFactory: () => new RedisOutageMonitor(createLogger('redis')) },
    {
      provide: SHARED_REDIS,
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
    RedisLifecycle,
  ],
  exports: [SHARED_REDIS, RedisOutageMonitor],
})
export class RedisModule {}
