/** A cached query result, as stored by either backend. */
export interface CachedEntry {
  /** The loader's result, already serialized (what the store holds and what the ETag hashes). */
  readonly json: string;
  readonly etag: string;
  readonly storedAt: number;
  readonly freshUntil: number;
  readonly staleUntil: number;
}

/** Where cached results live: the in-process LRU by default, Redis when REDIS_URL is set. */
export interface ResultCacheStore {
  readonly kind: 'memory' | 'redis';
  get(key: string): Promise<CachedEntry | undefined>;
  set(key: string, entry: CachedEntry, ttlMs: number): Promise<void>;
  /** Bytes held (memory) or -1 when the backend does not know cheaply. */
  size(): number;
}

/**
 * A counter per table, bumped when ingestion commits rows to it. Cache keys embed the generations of the tables
 * their function reads, so a bump invalidates exactly those entries — also across replicas when it lives in Redis.
 */
export interface TableGenerations {
  /**
   * True when every replica reads the same counters (Redis): the commit bus bumps them as it publishes the commit,
   * so neither the committing replica's cache nor the replicas receiving the commit bump them again.
   */
  readonly shared: boolean;
  /** `Orders=3,Payments=0` for the given tables (sorted), in one round trip. */
  read(tables: readonly string[]): Promise<string>;
  bump(table: string): Promise<number>;
}

export function formatGenerations(
  tables: readonly string[],
  values: readonly (number | string | null)[],
): string {
  return tables.map((table, index) => `${table}=${values[index] ?? 0}`).join(',');
}
