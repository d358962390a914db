import type { Redis } from 'ioredis';
import {
  formatGenerations,
  type CachedEntry,
  type ResultCacheStore,
  type TableGenerations,
} from './cache-store.js';

const GENERATION_PREFIX = 'kqlgate:gen:';

/** The Redis key of a table's generation counter (RedisCommitBus bumps it in the transaction that publishes). */
export function tableGenerationKey(table: string): string {
  return GENERATION_PREFIX + table;
}

/**
 * Results shared by all gateway replicas. One Redis string per entry, `PX` set to the end of its stale window.
 * The entry is stored as `<etag>\n<storedAt>\n<freshUntil>\n<staleUntil>\n<json>` so a hit costs one GET and no
 * second JSON parse of the envelope.
 */
export class RedisCacheStore implements ResultCacheStore {
  readonly kind = 'redis' as const;

  constructor(private readonly redis: Redis) {}

  async get(key: string): Promise<CachedEntry | undefined> {
    const raw = await this.redis.get(key);
    if (raw === null) {
      return undefined;
    }
    const parts: string[] = [];
    let start = 0;
    for (let i = 0; i < 4; i += 1) {
      const end = raw.indexOf('\n', start);
      if (end < 0) {
        return undefined;
      }
      parts.push(raw.slice(start, end));
      start = end + 1;
    }
    return {
      etag: parts[0],
      storedAt: Number(parts[1]),
      freshUntil: Number(parts[2]),
      staleUntil: Number(parts[3]),
      json: raw.slice(start),
    };
  }

  async set(key: string, entry: CachedEntry, ttlMs: number): Promise<void> {
    const value = `${entry.etag}\n${entry.storedAt}\n${entry.freshUntil}\n${entry.staleUntil}\n${entry.json}`;
    await this.redis.set(key, value, 'PX', Math.max(1, Math.ceil(ttlMs)));
  }

  size(): number {
    return -1;
  }
}

/**
 * Per-table generation counters in Redis: an INCR by any replica's ingestion invalidates every replica's cache.
 * Shared, so the replica that commits bumps them once for all (RedisCommitBus, with the commit's publication).
 */
export class RedisTableGenerations implements TableGenerations {
  readonly shared = true;

  constructor(private readonly redis: Redis) {}

  async read(tables: readonly string[]): Promise<string> {
    const sorted = [...tables].sort();
    if (sorted.length === 0) {
      return '';
    }
    const values = await this.redis.mget(...sorted.map(tableGenerationKey));
    return formatGenerations(sorted, values);
  }

  bump(table: string): Promise<number> {
    return this.redis.incr(tableGenerationKey(table));
  }
}
