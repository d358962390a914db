import { hash } from 'node:crypto';
import { silentLogger, type Logger } from '../../common/logging/logger.js';
import { CacheMetrics, type CacheResult } from './cache-metrics.js';
import { resultCacheKey } from './cache-key.js';
import type { CachedEntry, ResultCacheStore, TableGenerations } from './cache-store.js';
import type { QueryCacheLookup, QueryCacheOutcome, QueryResultCache } from '../query/query-hooks.js';
import type { RedisOutageReporter } from '../redis/redis-outage.monitor.js';

/** What this cache reports of a lookup: every field the query path's port leaves optional is always known here. */
export interface CacheOutcome<T> extends QueryCacheOutcome<T> {
  readonly result: CacheResult;
  /** Strong validator of the cached representation; '' when the function is not cached (ttl 0). */
  readonly etag: string;
  readonly ageSeconds: number;
  readonly ttlSeconds: number;
  readonly staleWhileRevalidateSeconds: number;
}

export interface StoreBackedResultCacheOptions {
  readonly store: ResultCacheStore;
  readonly generations: TableGenerations;
  /** Wraps every engine load — the engine-concurrency gate plugs in here so cache hits never queue. */
  readonly runLoad?: <T>(load: () => Promise<T>) => Promise<T>;
  readonly logger?: Logger;
  readonly now?: () => number;
  readonly metrics?: CacheMetrics;
  /** Told of every store failure and of the next success, when the store is Redis. */
  readonly outage?: RedisOutageReporter;
}

/**
 * Function results keyed by function + normalized parameters + bound claims + the generations of the tables the
 * function reads (see `resultCacheKey`).
 *
 * - Coalescing: identical lookups that miss while a load is in flight wait for that load (per process), so a
 *   burst of 100 cold requests runs one engine query.
 * - Stale-while-revalidate: within `staleWhileRevalidateSeconds` after expiry the old value is served and one
 *   background refresh runs.
 * - The store failing (Redis down) degrades to uncached queries, never to errors; identical concurrent lookups
 *   are still coalesced, on this replica.
 *
 * Returned values are shared between callers (memory store) and must be treated as immutable.
 */
export class StoreBackedResultCache implements QueryResultCache {
  private readonly inflight = new Map<string, Promise<{ value: unknown; entry?: CachedEntry }>>();
  private readonly decoded = new WeakMap<CachedEntry, unknown>();
  private readonly lastErrorLogAt = new Map<string, number>();
  private readonly logger: Logger;
  private readonly now: () => number;
  readonly metrics: CacheMetrics;

  constructor(private readonly options: StoreBackedResultCacheOptions) {
    this.logger = options.logger ?? silentLogger;
    this.now = options.now ?? Date.now;
    this.metrics = options.metrics ?? new CacheMetrics(() => options.store.size());
  }

  get store(): ResultCacheStore {
    return this.options.store;
  }

  async getOrLoad<T>(lookup: QueryCacheLookup, loader: () => Promise<T>): Promise<CacheOutcome<T>> {
    const ttlSeconds = Math.max(0, lookup.ttlSeconds);
    const swrSeconds = ttlSeconds > 0 ? Math.max(0, lookup.staleWhileRevalidateSeconds ?? 0) : 0;
    let generations: string;
    try {
      generations = await this.options.generations.read(lookup.tables);
    } catch (error) {
      // Without the generations we cannot tell a fresh entry from one ingestion has outdated: go to the engine,
      // uncached — but let identical lookups meanwhile share one engine query, as they would with the store up.
      this.storeError('generations', error);
      const key = `local:${resultCacheKey(lookup, '')}`;
      const pending = this.inflight.get(key);
      if (pending) {
        return this.settled<T>(lookup, await pending, 'coalesced', ttlSeconds, swrSeconds);
      }
      const loaded = await this.startLoad(key, lookup, loader, 0, 0);
      return this.settled<T>(lookup, loaded, 'bypass', ttlSeconds, swrSeconds);
    }
    this.options.outage?.recovered();
    const key = resultCacheKey(lookup, generations);

    if (ttlSeconds > 0) {
      const entry = await this.safeGet(key);
      const now = this.now();
      if (entry && now < entry.freshUntil) {
        return this.fromEntry<T>(lookup, entry, 'hit', ttlSeconds, swrSeconds);
      }
      if (entry && now < entry.staleUntil) {
        if (!this.inflight.has(key)) {
          this.startLoad(key, lookup, loader, ttlSeconds, swrSeconds).catch((error: unknown) =>
            this.logger.warn(
              { function: lookup.functionName, err: error instanceof Error ? error.message : String(error) },
              'background refresh of a stale cache entry failed; the stale value stays until its window ends',
            ),
          );
        }
        return this.fromEntry<T>(lookup, entry, 'stale', ttlSeconds, swrSeconds);
      }
    }

    const pending = this.inflight.get(key);
    if (pending) {
      const shared = await pending;
      return this.settled<T>(lookup, shared, 'coalesced', ttlSeconds, swrSeconds);
    }
    const loaded = await this.startLoad(key, lookup, loader, ttlSeconds, swrSeconds);
    return this.settled<T>(lookup, loaded, 'miss', ttlSeconds, swrSeconds);
  }

  /** Runs the loader once for `key`, stores the result, and lets identical lookups share the promise meanwhile. */
  private startLoad<T>(
    key: string,
    lookup: QueryCacheLookup,
    loader: () => Promise<T>,
    ttlSeconds: number,
    swrSeconds: number,
  ): Promise<{ value: unknown; entry?: CachedEntry }> {
    const promise = (async () => {
      const value = await this.load(loader);
      if (ttlSeconds === 0) {
        return { value };
      }
      const json = serialize(value);
      const storedAt = this.now();
      const entry: CachedEntry = {
        json,
        etag: etagOf(json),
        storedAt,
        freshUntil: storedAt + ttlSeconds * 1000,
        staleUntil: storedAt + (ttlSeconds + swrSeconds) * 1000,
      };
      this.decoded.set(entry, value);
      try {
        await this.options.store.set(key, entry, (ttlSeconds + swrSeconds) * 1000);
      } catch (error) {
        this.storeError('set', error);
      }
      return { value, entry };
    })();
    this.inflight.set(key, promise);
    // Removed once settled either way, so a failed load is retried by the next caller rather than cached.
    promise.then(
      () => this.inflight.delete(key),
      () => this.inflight.delete(key),
    );
    this.metrics.loads.inc({ function: lookup.functionName });
    return promise;
  }

  private load<T>(loader: () => Promise<T>): Promise<T> {
    return this.options.runLoad ? this.options.runLoad(loader) : loader();
  }

  private async safeGet(key: string): Promise<CachedEntry | undefined> {
    try {
      return await this.options.store.get(key);
    } catch (error) {
      this.storeError('get', error);
      return undefined;
    }
  }

  private settled<T>(
    lookup: QueryCacheLookup,
    loaded: { value: unknown; entry?: CachedEntry },
    result: CacheResult,
    ttlSeconds: number,
    swrSeconds: number,
  ): CacheOutcome<T> {
    if (loaded.entry) {
      return this.fromEntry<T>(lookup, loaded.entry, result, ttlSeconds, swrSeconds);
    }
    return this.outcome(lookup, loaded.value as T, result, ttlSeconds, swrSeconds);
  }

  private fromEntry<T>(
    lookup: QueryCacheLookup,
    entry: CachedEntry,
    result: CacheResult,
    ttlSeconds: number,
    swrSeconds: number,
  ): CacheOutcome<T> {
    let value = this.decoded.get(entry);
    if (value === undefined) {
      value = deserialize(entry.json);
      this.decoded.set(entry, value);
    }
    this.metrics.record(lookup.functionName, result);
    return {
      value: value as T,
      result,
      etag: entry.etag,
      ageSeconds: Math.max(0, Math.floor((this.now() - entry.storedAt) / 1000)),
      ttlSeconds,
      staleWhileRevalidateSeconds: swrSeconds,
    };
  }

  private outcome<T>(
    lookup: QueryCacheLookup,
    value: T,
    result: CacheResult,
    ttlSeconds: number,
    swrSeconds: number,
  ): CacheOutcome<T> {
    this.metrics.record(lookup.functionName, result);
    return { value, result, etag: '', ageSeconds: 0, ttlSeconds, staleWhileRevalidateSeconds: swrSeconds };
  }

  private storeError(operation: string, error: unknown): void {
    this.metrics.storeErrors.inc({ operation });
    this.options.outage?.fellBack('cache', error);
    // While Redis is down every request fails the same way: one log line per operation every 10 s is enough.
    const now = this.now();
    if (now - (this.lastErrorLogAt.get(operation) ?? -Infinity) < 10_000) {
      return;
    }
    this.lastErrorLogAt.set(operation, now);
    this.logger.warn(
      {
        operation,
        backend: this.options.store.kind,
        err: error instanceof Error ? error.message : String(error),
      },
      'result cache backend failed; serving uncached (identical concurrent requests share one engine query)',
    );
  }
}

const BIGINT_TAG = '$kqlgate.bigint';

/** JSON that survives BigInt (Kusto `long` beyond 2^53) round trips through Redis. */
export function serialize(value: unknown): string {
  const json = JSON.stringify(value, (_key, member: unknown) =>
    typeof member === 'bigint' ? { [BIGINT_TAG]: member.toString() } : member,
  ) as string | undefined;
  return json ?? 'null';
}

export function deserialize(json: string): unknown {
  if (!json.includes(BIGINT_TAG)) {
    return JSON.parse(json);
  }
  return JSON.parse(json, (_key, member: unknown) => {
    if (member !== null && typeof member === 'object' && BIGINT_TAG in member) {
      return BigInt((member as Record<string, string>)[BIGINT_TAG]);
    }
    return member;
  });
}

function etagOf(json: string): string {
  return `"${hash('sha1', json, 'base64url')}"`;
}
