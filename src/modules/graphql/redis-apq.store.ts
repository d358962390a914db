import type { Redis } from 'ioredis';
import { createLogger } from '../../common/logging/logger.js';
import type { PersistedQueryCache } from './trusted-document.cache.js';

/** Apollo's keys are `apq:<sha256>`; ours sit beside the result cache's `kqlgate:` keys. */
const KEY_PREFIX = 'kqlgate:';

/**
 * How long a document registered without a TTL from Apollo stays: a client whose hash expired gets
 * PERSISTED_QUERY_NOT_FOUND and re-sends the text, so this bounds Redis's memory, not correctness.
 */
const DEFAULT_TTL_SECONDS = 24 * 60 * 60;

/**
 * Automatic persisted queries shared by all replicas (REDIS_URL): a hash registered through one replica is found
 * by the others, so a client behind a load balancer is not sent PERSISTED_QUERY_NOT_FOUND on each new replica.
 * While Redis is away a lookup answers "not found" rather than failing the request (Apollo turns a throwing
 * cache into a 500): the client re-sends the text and is served; registrations are lost until Redis is back.
 */
export class RedisApqStore implements PersistedQueryCache {
  private readonly logger = createLogger('graphql');

  constructor(private readonly redis: Redis) {}

  async get(key: string): Promise<string | undefined> {
    try {
      return (await this.redis.get(KEY_PREFIX + key)) ?? undefined;
    } catch (error) {
      // RedisOutageMonitor reports the outage once; a line per lookup would only repeat it.
      this.logger.debug({ err: (error as Error).message }, 'persisted-query lookup in Redis failed');
      return undefined;
    }
  }

  async set(key: string, value: string, options?: { ttl?: number | null }): Promise<void> {
    try {
      await this.redis.set(KEY_PREFIX + key, value, 'EX', options?.ttl ?? DEFAULT_TTL_SECONDS);
    } catch (error) {
      // RedisOutageMonitor reports the outage once; a line per lost registration would only repeat it.
      this.logger.debug({ err: (error as Error).message }, 'persisted-query registration in Redis failed');
    }
  }

  async delete(key: string): Promise<boolean> {
    return (await this.redis.del(KEY_PREFIX + key)) > 0;
  }
}
