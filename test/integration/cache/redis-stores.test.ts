import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../../src/modules/auth/principal.js';
import { CacheInvalidator } from '../../../src/modules/cache/cache-invalidator.js';
import { StoreBackedResultCache } from '../../../src/modules/cache/store-backed-result-cache.js';
import { RedisCacheStore, RedisTableGenerations } from '../../../src/modules/cache/redis-cache.store.js';
import { RedisThrottlerStorage } from '../../../src/modules/rate-limit/cost-throttler.storage.js';
import { CostBudgetRateLimiter } from '../../../src/modules/rate-limit/cost-budget-rate-limiter.js';
import type { QueryCacheLookup, QueryFunctionInfo } from '../../../src/modules/query/query-hooks.js';
import { freePort } from '../../utils/free-port.js';
import { redisUnavailableReason, startRedis, type RunningRedis } from './redis-server.js';

const unavailable = redisUnavailableReason();
if (unavailable) {
  console.warn(`SKIPPED redis-stores.test.ts: ${unavailable}`);
}

const TEST_FN: QueryFunctionInfo = {
  name: 'F',
  anonymous: false,
  roles: [],
  scopes: [],
  boundParameters: {},
  cost: 1,
  cacheTtlSeconds: 60,
  tables: ['Orders'],
};

const lookup: QueryCacheLookup = {
  functionName: 'Orders',
  tables: ['Orders'],
  params: { n: 1 },
  boundClaims: { tenantId: 'A' },
  ttlSeconds: 60,
};

describe.skipIf(unavailable !== undefined)('Redis-backed cache and rate limits', () => {
  let redis: RunningRedis;
  const clients: Redis[] = [];
  const client = () => {
    const c = new Redis(redis.url);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.quit()));
    await redis?.stop();
  });

  describe(RedisCacheStore.name, () => {
    it('should share entries and invalidation between two replicas', async () => {
      const replica = () => {
        const c = client();
        return new StoreBackedResultCache({
          store: new RedisCacheStore(c),
          generations: new RedisTableGenerations(c),
        });
      };
      const [a, b] = [replica(), replica()];
      let loads = 0;
      const loader = (value: unknown) => () => {
        loads += 1;
        return Promise.resolve(value);
      };
      const first = await a.getOrLoad(lookup, loader({ rows: [1], big: 12345678901234567890n }));
      const second = await b.getOrLoad(lookup, loader('never'));
      expect(second).toMatchObject({
        result: 'hit',
        value: { rows: [1], big: 12345678901234567890n },
        etag: first.etag,
      });

      await new CacheInvalidator(new RedisTableGenerations(client())).invalidate({
        database: 'analytics',
        table: 'Orders',
        rows: 1,
      });
      expect(await b.getOrLoad(lookup, loader('after ingest'))).toMatchObject({
        result: 'miss',
        value: 'after ingest',
      });
      expect(await a.getOrLoad(lookup, loader('never'))).toMatchObject({
        result: 'hit',
        value: 'after ingest',
      });
      expect(loads).toBe(2);
    });

    it('should expire entries with the TTL plus stale window', async () => {
      const c = client();
      const store = new RedisCacheStore(c);
      await store.set(
        'kqlgate:r:ttl-test',
        { json: '1', etag: '"e"', storedAt: 1, freshUntil: 2, staleUntil: 3 },
        1500,
      );
      const ttl = await c.pttl('kqlgate:r:ttl-test');
      expect(ttl).toBeGreaterThan(1000);
      expect(ttl).toBeLessThanOrEqual(1500);
    });
  });

  describe(RedisThrottlerStorage.name, () => {
    it('should hold one budget across two replicas and leave other callers alone', async () => {
      const budget = { points: 5, windowSeconds: 30 };
      const a = new CostBudgetRateLimiter(new RedisThrottlerStorage(client()), budget);
      const b = new CostBudgetRateLimiter(new RedisThrottlerStorage(client()), budget);
      const alice: Principal = {
        id: 'alice',
        roles: [],
        scopes: [],
        claims: {},
        anonymous: false,
        method: 'jwt',
      };
      const bob: Principal = { ...alice, id: 'bob' };
      const fn = { name: 'F', cost: 2 };
      await expect(a.consume(alice, fn)).resolves.toMatchObject({ remaining: 3, resetSeconds: 30 });
      await expect(b.consume(alice, fn)).resolves.toMatchObject({ remaining: 1 });
      await expect(a.consume(alice, fn)).rejects.toMatchObject({
        code: 'RATE_LIMITED',
        message:
          'rate limit exceeded across all functions: 4 of 5 points used in this 30 s window (F costs 2); retry in 30 s',
      });
      await expect(b.consume(bob, fn)).resolves.toMatchObject({ remaining: 3 });
    });

    it('should not overspend under concurrent increments from two replicas', async () => {
      const budget = { points: 50, windowSeconds: 30 };
      const replicas = [client(), client()].map(
        (c) => new CostBudgetRateLimiter(new RedisThrottlerStorage(c), budget),
      );
      const carol: Principal = {
        id: 'carol',
        roles: [],
        scopes: [],
        claims: {},
        anonymous: false,
        method: 'jwt',
      };
      const results = await Promise.allSettled(
        Array.from({ length: 80 }, (_, i) => replicas[i % 2].consume(carol, { name: 'F', cost: 1 })),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(50);
    });
  });
});

describe('with Redis unreachable', () => {
  it('should serve uncached results and let calls through the rate limiter', async () => {
    const port = await freePort();
    // The options RedisModule uses: fail fast rather than queue while Redis is away.
    const down = new Redis(`redis://127.0.0.1:${port}`, {
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    });
    down.on('error', () => undefined);
    try {
      const cache = new StoreBackedResultCache({
        store: new RedisCacheStore(down),
        generations: new RedisTableGenerations(down),
      });
      await expect(cache.getOrLoad(lookup, () => Promise.resolve('from engine'))).resolves.toMatchObject({
        value: 'from engine',
        result: 'bypass',
      });
      const limiter = new CostBudgetRateLimiter(new RedisThrottlerStorage(down), {
        points: 1,
        windowSeconds: 60,
      });
      const principal: Principal = {
        id: 'p',
        roles: [],
        scopes: [],
        claims: {},
        anonymous: false,
        method: 'jwt',
      };
      const fn = { ...TEST_FN, cost: 1 };
      await expect(limiter.consume(principal, fn, 1)).resolves.toBeUndefined();
      await expect(limiter.consume(principal, fn, 1)).resolves.toBeUndefined();
    } finally {
      down.disconnect();
    }
  });
});
