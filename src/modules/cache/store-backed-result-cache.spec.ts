import { describe, expect, it } from 'vitest';
import type { QueryCacheLookup } from '../query/query-hooks.js';
import { CacheInvalidator } from './cache-invalidator.js';
import type { CachedEntry, ResultCacheStore } from './cache-store.js';
import { MemoryCacheStore, MemoryTableGenerations } from './memory-cache.store.js';
import { StoreBackedResultCache } from './store-backed-result-cache.js';
import { TableLineage } from './table-lineage.js';

function lookup(partial: Partial<QueryCacheLookup> = {}): QueryCacheLookup {
  return {
    functionName: 'Orders',
    tables: ['Orders'],
    params: { n: 1 },
    boundClaims: {},
    ttlSeconds: 30,
    ...partial,
  };
}

function setup(store: ResultCacheStore = new MemoryCacheStore(1024 * 1024)) {
  let now = 1_000_000;
  const generations = new MemoryTableGenerations();
  const cache = new StoreBackedResultCache({ store, generations, now: () => now });
  let loads = 0;
  const loader = (value: unknown = { rows: [1, 2, 3] }) => {
    return async () => {
      loads += 1;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return value;
    };
  };
  return {
    cache,
    generations,
    loader,
    loads: () => loads,
    advance: (ms: number) => (now += ms),
  };
}

describe(StoreBackedResultCache.name, () => {
  describe('getOrLoad', () => {
    it('should load once then serve hits with the same etag', async () => {
      const { cache, loader, loads } = setup();
      const first = await cache.getOrLoad(lookup(), loader());
      const second = await cache.getOrLoad(lookup({ params: { n: 1, omitted: undefined } }), loader());
      expect(first).toMatchObject({ result: 'miss', value: { rows: [1, 2, 3] } });
      expect(second).toMatchObject({ result: 'hit', value: { rows: [1, 2, 3] }, etag: first.etag });
      expect(first.etag).toMatch(/^"[\w-]{27}"$/);
      expect(loads()).toBe(1);
    });

    it('should run one load for 100 concurrent identical misses', async () => {
      const { cache, loader, loads } = setup();
      const outcomes = await Promise.all(
        Array.from({ length: 100 }, () => cache.getOrLoad(lookup(), loader())),
      );
      expect(loads()).toBe(1);
      expect(outcomes.filter((o) => o.result === 'miss')).toHaveLength(1);
      expect(outcomes.filter((o) => o.result === 'coalesced')).toHaveLength(99);
    });

    it('should coalesce uncached (ttl 0) functions without storing them', async () => {
      const { cache, loader, loads } = setup();
      await Promise.all([
        cache.getOrLoad(lookup({ ttlSeconds: 0 }), loader()),
        cache.getOrLoad(lookup({ ttlSeconds: 0 }), loader()),
      ]);
      await cache.getOrLoad(lookup({ ttlSeconds: 0 }), loader());
      expect(loads()).toBe(2);
    });

    it('should keep callers with different bound claims apart', async () => {
      const { cache, loader } = setup();
      await cache.getOrLoad(lookup({ boundClaims: { tenantId: 'A' } }), loader('rows of A'));
      const b = await cache.getOrLoad(lookup({ boundClaims: { tenantId: 'B' } }), loader('rows of B'));
      expect(b).toMatchObject({ result: 'miss', value: 'rows of B' });
    });

    it('should expire after the TTL', async () => {
      const { cache, loader, loads, advance } = setup();
      await cache.getOrLoad(lookup(), loader());
      advance(30_001);
      expect((await cache.getOrLoad(lookup(), loader())).result).toBe('miss');
      expect(loads()).toBe(2);
    });

    it('should serve stale within the revalidate window and refresh in the background', async () => {
      const { cache, loader, loads, advance } = setup();
      await cache.getOrLoad(lookup({ staleWhileRevalidateSeconds: 60 }), loader('old'));
      advance(40_000);
      const stale = await cache.getOrLoad(lookup({ staleWhileRevalidateSeconds: 60 }), loader('new'));
      expect(stale).toMatchObject({ result: 'stale', value: 'old', ageSeconds: 40 });
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(
        await cache.getOrLoad(lookup({ staleWhileRevalidateSeconds: 60 }), loader('newer')),
      ).toMatchObject({
        result: 'hit',
        value: 'new',
      });
      expect(loads()).toBe(2);
    });

    it('should not cache a failed load', async () => {
      const { cache, loader } = setup();
      const failing = () => Promise.reject(new Error('engine down'));
      await expect(cache.getOrLoad(lookup(), failing)).rejects.toThrow('engine down');
      expect((await cache.getOrLoad(lookup(), loader())).result).toBe('miss');
    });

    it('should round-trip BigInt values', async () => {
      const { cache, loader } = setup();
      await cache.getOrLoad(lookup(), loader({ big: 9007199254740993n }));
      const hit = await cache.getOrLoad(lookup(), loader());
      expect(hit.value).toEqual({ big: 9007199254740993n });
    });

    it('should serve uncached when the store fails', async () => {
      const broken: ResultCacheStore = {
        kind: 'redis',
        get: () => Promise.reject(new Error('ECONNREFUSED')),
        set: (_key: string, _entry: CachedEntry) => Promise.reject(new Error('ECONNREFUSED')),
        size: () => -1,
      };
      const { cache, loader } = setup(broken);
      await expect(cache.getOrLoad(lookup(), loader('fresh'))).resolves.toMatchObject({ value: 'fresh' });
    });

    it('should still coalesce identical lookups when the generations cannot be read, and report the outage', async () => {
      const reports: string[] = [];
      const outage = {
        fellBack: (component: string) => reports.push(`fellBack:${component}`),
        failed: () => reports.push('failed'),
        recovered: () => reports.push('recovered'),
      };
      let down = true;
      const generations = new MemoryTableGenerations();
      const flaky = {
        shared: true,
        read: (tables: readonly string[]) =>
          down ? Promise.reject(new Error('Connection is closed.')) : generations.read(tables),
        bump: (table: string) => generations.bump(table),
      };
      const cache = new StoreBackedResultCache({
        store: new MemoryCacheStore(1024 * 1024),
        generations: flaky,
        outage,
      });
      let loads = 0;
      const loader = async () => {
        loads += 1;
        await new Promise((resolve) => setTimeout(resolve, 5));
        return { rows: [1] };
      };
      const outcomes = await Promise.all(Array.from({ length: 10 }, () => cache.getOrLoad(lookup(), loader)));
      expect(loads).toBe(1);
      expect(outcomes.map((o) => o.result).sort()).toEqual(['bypass', ...Array(9).fill('coalesced')]);
      // Nothing was stored meanwhile: the next lookup after the outage loads again.
      down = false;
      await expect(cache.getOrLoad(lookup(), loader)).resolves.toMatchObject({ result: 'miss' });
      expect(loads).toBe(2);
      expect(reports).toEqual([...Array(10).fill('fellBack:cache'), 'recovered']);
    });
  });

  describe('invalidation', () => {
    it('should miss after a commit to a table the function reads, and keep other functions cached', async () => {
      const { cache, generations, loader } = setup();
      const invalidator = new CacheInvalidator(
        generations,
        TableLineage.fromPolicies([{ table: 'Orders', source: 'RawOrderEvents' }]),
      );
      const orders = lookup();
      const payments = lookup({ functionName: 'Payments', tables: ['Payments'] });
      await cache.getOrLoad(orders, loader('orders v1'));
      await cache.getOrLoad(payments, loader('payments v1'));
      expect(
        await invalidator.invalidate({ database: 'analytics', table: 'RawOrderEvents', rows: 3 }),
      ).toEqual(['RawOrderEvents', 'Orders']);
      expect(await cache.getOrLoad(orders, loader('orders v2'))).toMatchObject({
        result: 'miss',
        value: 'orders v2',
      });
      expect(await cache.getOrLoad(payments, loader('payments v2'))).toMatchObject({
        result: 'hit',
        value: 'payments v1',
      });
    });
  });
});
