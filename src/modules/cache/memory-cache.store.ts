import { LRUCache } from 'lru-cache';
import {
  formatGenerations,
  type CachedEntry,
  type ResultCacheStore,
  type TableGenerations,
} from './cache-store.js';

/**
 * The default store: an LRU bounded in bytes (the serialized result's length — close to its UTF-8 size for the
 * mostly-ASCII JSON of query results), with per-entry TTL so stale-window entries age out on their own.
 */
export class MemoryCacheStore implements ResultCacheStore {
  readonly kind = 'memory' as const;
  private readonly lru: LRUCache<string, CachedEntry> | undefined;

  constructor(maxBytes: number) {
    this.lru =
      maxBytes > 0
        ? new LRUCache<string, CachedEntry>({
            maxSize: maxBytes,
            // Keys and bookkeeping cost something too; 200 bytes keeps many tiny results from overshooting.
            sizeCalculation: (entry, key) => entry.json.length + key.length + 200,
            // A result bigger than a quarter of the cache would evict everything else for one caller.
            maxEntrySize: Math.max(1, Math.floor(maxBytes / 4)),
            ttlAutopurge: false,
          })
        : undefined;
  }

  get(key: string): Promise<CachedEntry | undefined> {
    return Promise.resolve(this.lru?.get(key));
  }

  set(key: string, entry: CachedEntry, ttlMs: number): Promise<void> {
    this.lru?.set(key, entry, { ttl: Math.max(1, ttlMs) });
    return Promise.resolve();
  }

  size(): number {
    return this.lru?.calculatedSize ?? 0;
  }
}

export class MemoryTableGenerations implements TableGenerations {
  readonly shared = false;
  private readonly generations = new Map<string, number>();

  read(tables: readonly string[]): Promise<string> {
    return Promise.resolve(this.readSync(tables));
  }

  readSync(tables: readonly string[]): string {
    const sorted = [...tables].sort();
    return formatGenerations(
      sorted,
      sorted.map((table) => this.generations.get(table) ?? 0),
    );
  }

  bump(table: string): Promise<number> {
    const next = (this.generations.get(table) ?? 0) + 1;
    this.generations.set(table, next);
    return Promise.resolve(next);
  }
}
