import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CacheInvalidator } from '../../../src/modules/cache/cache-invalidator.js';
import {
  redisUnavailableReason,
  startRedis,
  type RunningRedis,
} from '../../integration/cache/redis-server.js';
import { TestJwtIssuer } from '../../utils/jwt-issuer.js';
import { removeDir, tempDir } from '../../utils/temp-dir.js';
import { startStandInApp, type StandInApp } from './stand-in-gateway.js';

const unavailable = redisUnavailableReason();
if (unavailable) {
  console.warn(`SKIPPED redis-replicas.test.ts: ${unavailable}`);
}

describe.skipIf(unavailable !== undefined)('two gateway instances sharing Redis', () => {
  let redis: RunningRedis;
  let issuer: TestJwtIssuer;
  let dir: string;
  let replicas: StandInApp[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    issuer = await TestJwtIssuer.create();
    await issuer.start();
    dir = await tempDir('replicas');
    const env = {
      DATA_DIR: dir,
      KQL_DIR: resolve(import.meta.dirname, '../../../kql'),
      JWKS_URI: issuer.jwksUri,
      JWT_ISSUER: issuer.issuer,
      JWT_AUDIENCE: issuer.audience,
      REDIS_URL: redis.url,
      RATE_LIMIT_POINTS: '500',
      LOG_LEVEL: 'silent',
    };
    replicas = [await startStandInApp(env), await startStandInApp(env)];
  });
  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.app.close()));
    await issuer?.stop();
    await redis?.stop();
    await removeDir(dir);
  });

  const bearer = async (sub: string) => ({
    authorization: `Bearer ${await issuer.token({ sub, roles: ['analyst'], claims: { tid: 'A' } })}`,
  });

  it('should hold one rate-limit budget across both instances, leaving other clients alone', async () => {
    const greedy = await bearer('greedy');
    const statuses: number[] = [];
    for (let i = 0; i < 11; i += 1) {
      const response = await fetch(`${replicas[i % 2].url}/api/v1/functions/Expensive`, { headers: greedy });
      statuses.push(response.status);
      if (response.status === 429) {
        expect(response.headers.get('ratelimit-remaining')).toBe('0');
        expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
      }
    }
    expect(statuses).toEqual([...Array(10).fill(200), 429]);
    const other = await fetch(`${replicas[1].url}/api/v1/functions/Expensive`, {
      headers: await bearer('other'),
    });
    expect(other.status).toBe(200);
    expect(other.headers.get('ratelimit-remaining')).toBe('450');
  });

  it('should share cached results and invalidate them on both instances after ingestion on one', async () => {
    const headers = await bearer('cache');
    const url = (i: number) => `${replicas[i].url}/api/v1/functions/TenantOrders?shared=1`;
    const first = (await (await fetch(url(0), { headers })).json()) as { meta: { cache: string } };
    const second = (await (await fetch(url(1), { headers })).json()) as { meta: { cache: string } };
    expect([first.meta.cache, second.meta.cache]).toEqual(['miss', 'hit']);

    replicas[0].engine.rows.push({ TenantId: 'A', OrderId: 'a-new', Table: 'Orders' });
    replicas[1].engine.rows.push({ TenantId: 'A', OrderId: 'a-new', Table: 'Orders' });
    replicas[0].events.emit({ database: 'analytics', table: 'RawOrderEvents', rows: 1 });
    await replicas[0].app.get(CacheInvalidator).settled();

    const after = (await (await fetch(url(1), { headers })).json()) as {
      data: { OrderId: string }[];
      meta: { cache: string };
    };
    expect(after.meta.cache).toBe('miss');
    expect(after.data.map((row) => row.OrderId)).toContain('a-new');
  });
});
