import { Counter, Gauge, register } from 'prom-client';

function counter<T extends string>(name: string, help: string, labelNames: readonly T[]): Counter<T> {
  return (
    (register.getSingleMetric(name) as Counter<T> | undefined) ?? new Counter({ name, help, labelNames })
  );
}

export type CacheResult = 'hit' | 'miss' | 'stale' | 'coalesced' | 'bypass';

/** Result-cache metrics on the global registry; the hit ratio gauge is derived at scrape time from the counts. */
export class CacheMetrics {
  readonly requests = counter('kqlgate_cache_requests_total', 'Result cache lookups by function and result', [
    'function',
    'result',
  ]);
  readonly coalesced = counter(
    'kqlgate_cache_coalesced_requests_total',
    'Requests that waited for an identical in-flight engine query instead of running their own',
    ['function'],
  );
  readonly loads = counter(
    'kqlgate_cache_loads_total',
    'Engine queries started by the result cache (misses after coalescing, and background refreshes)',
    ['function'],
  );
  readonly invalidations = counter(
    'kqlgate_cache_invalidations_total',
    'Table generation bumps caused by ingestion commits (each invalidates the results of functions reading the table)',
    ['table'],
  );
  readonly storeErrors = counter(
    'kqlgate_cache_store_errors_total',
    'Cache backend failures (the query then runs uncached)',
    ['operation'],
  );
  private hits = 0;
  private lookups = 0;

  constructor(sizeBytes: () => number) {
    if (!register.getSingleMetric('kqlgate_cache_hit_ratio')) {
      const ratio = () => (this.lookups === 0 ? 0 : this.hits / this.lookups);
      new Gauge({
        name: 'kqlgate_cache_hit_ratio',
        help: 'Share of result lookups served from cache (fresh or stale) since start',
        collect() {
          this.set(ratio());
        },
      });
    }
    if (!register.getSingleMetric('kqlgate_cache_bytes')) {
      new Gauge({
        name: 'kqlgate_cache_bytes',
        help: 'Bytes held by the in-process result cache',
        collect() {
          this.set(Math.max(0, sizeBytes()));
        },
      });
    }
  }

  record(functionName: string, result: CacheResult): void {
    this.requests.inc({ function: functionName, result });
    this.lookups += 1;
    if (result === 'hit' || result === 'stale' || result === 'coalesced') {
      this.hits += 1;
    }
    if (result === 'coalesced') {
      this.coalesced.inc({ function: functionName });
    }
  }
}
