import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  redisUnavailableReason,
  startRedis,
  type RunningRedis,
} from '../../integration/cache/redis-server.js';
import { removeDir, tempDir } from '../../utils/temp-dir.js';
import { ingestInline, startCountingGateway, type CountingGateway } from './real-gateway.js';

const unavailable = redisUnavailableReason();
if (unavailable) {
  console.warn(`SKIPPED redis-outage.test.ts: ${unavailable}`);
}

interface Readiness {
  status: string;
  details: Record<string, { status: string; error?: string; fallback?: string }>;
}

/**
 * A real gateway on a real redis-server that is SIGKILLed and started again on its port: while Redis is away the
 * replica stays ready (Redis `degraded`), keeps enforcing the caller's budget with its local state and coalesces
 * identical requests into one engine query; once Redis is back the replicas share state again.
 */
describe.skipIf(unavailable !== undefined)('a real gateway when Redis goes away and comes back', () => {
  let redis: RunningRedis;
  let dir: string;
  let gateway: CountingGateway;

  beforeAll(async () => {
    redis = await startRedis();
    dir = await tempDir('redis-outage');
    gateway = await startCountingGateway(dir, {
      REDIS_URL: redis.url,
      RATE_LIMIT_POINTS: '20',
      // Long enough that the whole test runs in one window.
      RATE_LIMIT_WINDOW_SECONDS: '3600',
    });
    await ingestInline(gateway, 'Orders', ['A,a-1,10', 'B,b-1,30']);
  });
  afterAll(async () => {
    await gateway?.close();
    await redis?.stop();
    await removeDir(dir);
  });

  const call = () => fetch(`${gateway.url}/api/v1/functions/PublicOrderCount`);
  const readiness = async () => {
    const response = await fetch(`${gateway.url}/health/ready`);
    return { status: response.status, body: (await response.json()) as Readiness };
  };
  const metric = async (line: RegExp) => {
    const text = await (await fetch(`${gateway.url}/metrics`)).text();
    return Number(line.exec(text)?.[1] ?? Number.NaN);
  };
  const redisStatus = async () => (await readiness()).body.details.redis?.status;

  it('should stay ready, enforce the budget locally and coalesce while Redis is down, then share state again', async () => {
    expect(await readiness()).toMatchObject({ status: 200, body: { details: { redis: { status: 'up' } } } });
    for (const remaining of ['19', '18', '17', '16', '15']) {
      const response = await call();
      expect(response.status).toBe(200);
      expect(response.headers.get('ratelimit-remaining')).toBe(remaining);
    }

    await redis.kill();
    await expect.poll(redisStatus, { timeout: 10_000 }).toBe('degraded');
    const ready = await readiness();
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('degraded');
    expect(ready.body.details.redis).toMatchObject({
      status: 'degraded',
      fallback: "rate limits and request coalescing use this replica's local state; results are not cached",
    });

    // Ten identical calls at once: one engine query, the others share it.
    gateway.kusto.delayMs = 500;
    const queriesBefore = gateway.kusto.queries;
    const burst = await Promise.all(Array.from({ length: 10 }, () => call()));
    gateway.kusto.delayMs = 0;
    expect(burst.map((r) => r.status)).toEqual(Array(10).fill(200));
    const caches = await Promise.all(
      burst.map(async (r) => ((await r.json()) as { meta: { cache: string } }).meta.cache),
    );
    expect(caches.filter((c) => c === 'bypass')).toHaveLength(1);
    expect(caches.filter((c) => c === 'coalesced')).toHaveLength(9);
    expect(gateway.kusto.queries - queriesBefore).toBe(1);

    // 5 + 10 of the 20 points are spent (the replica counted what Redis accepted): 5 more fit, then 429.
    const statuses: number[] = [];
    for (let i = 0; i < 8; i += 1) {
      statuses.push((await call()).status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);

    expect(await metric(/^kqlgate_redis_degraded (\d+)$/m)).toBe(1);
    expect(await metric(/^kqlgate_redis_fallback_total\{component="rate_limit"\} (\d+)$/m)).toBe(18);
    expect(await metric(/^kqlgate_redis_fallback_total\{component="cache"\} (\d+)$/m)).toBeGreaterThanOrEqual(
      11,
    );

    redis = await startRedis(redis.port);
    await expect.poll(redisStatus, { timeout: 15_000 }).toBe('up');
    expect((await readiness()).body.status).toBe('ok');
    expect(await metric(/^kqlgate_redis_degraded (\d+)$/m)).toBe(0);
    // The budget is Redis's again (the restarted server remembers nothing), and so is the cache.
    const first = await call();
    expect(first.status).toBe(200);
    expect(first.headers.get('ratelimit-remaining')).toBe('19');
    expect(((await first.json()) as { meta: { cache: string } }).meta.cache).toBe('miss');
    expect(((await (await call()).json()) as { meta: { cache: string } }).meta.cache).toBe('hit');
  });
});
