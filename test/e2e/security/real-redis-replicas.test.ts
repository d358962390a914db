import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { LiveResultsService } from '../../../src/modules/live/live-results.service.js';
import { TABLE_COMMIT_BUS } from '../../../src/modules/live/live.tokens.js';
import type { TableCommitBus } from '../../../src/modules/live/table-commit.bus.js';
import { SHARED_REDIS } from '../../../src/modules/redis/redis.module.js';
import {
  redisUnavailableReason,
  startRedis,
  type RunningRedis,
} from '../../integration/cache/redis-server.js';
import { TestJwtIssuer } from '../../utils/jwt-issuer.js';
import { removeDir, tempDir } from '../../utils/temp-dir.js';
import { ingestInline, startCountingGateway, type CountingGateway } from './real-gateway.js';

const unavailable = redisUnavailableReason();
if (unavailable) {
  console.warn(`SKIPPED real-redis-replicas.test.ts: ${unavailable}`);
}

/** Two real gateway instances (REST + GraphQL + security) on one engine, sharing one redis-server. */
describe.skipIf(unavailable !== undefined)('two real gateway instances sharing Redis', () => {
  let redis: RunningRedis;
  let issuer: TestJwtIssuer;
  let dir: string;
  let replicas: CountingGateway[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    issuer = await TestJwtIssuer.create();
    await issuer.start();
    dir = await tempDir('real-replicas');
    const env = {
      JWKS_URI: issuer.jwksUri,
      JWT_ISSUER: issuer.issuer,
      JWT_AUDIENCE: issuer.audience,
      REDIS_URL: redis.url,
      RATE_LIMIT_POINTS: '100',
    };
    await mkdir(join(dir, 'a'));
    await mkdir(join(dir, 'b'));
    const first = await startCountingGateway(join(dir, 'a'), env);
    const second = await startCountingGateway(join(dir, 'b'), env, { engine: first.engine });
    replicas = [first, second];
    await ingestInline(first, 'Orders', ['A,a-1,10', 'B,b-1,30']);
    await ingestInline(first, 'Payments', ['A,p-1,5']);
  });
  afterAll(async () => {
    // The replica that does not own the engine closes first.
    for (const replica of [...replicas].reverse()) {
      await replica.close();
    }
    await issuer?.stop();
    await redis?.stop();
    await removeDir(dir);
  });

  const auth = async (sub: string) => ({
    authorization: `Bearer ${await issuer.token({ sub, roles: ['analyst'], claims: { tid: 'A' } })}`,
  });

  it('should hold one budget across both instances while another client is unaffected', async () => {
    const greedy = await auth('greedy');
    const statuses: number[] = [];
    // TenantPayments costs 25 of 100 points: four calls fit, alternating between the instances.
    for (let i = 0; i < 5; i += 1) {
      const response = await fetch(`${replicas[i % 2].url}/api/v1/functions/TenantPayments`, {
        headers: greedy,
      });
      statuses.push(response.status);
      if (response.status === 429) {
        expect(response.headers.get('ratelimit-remaining')).toBe('0');
        expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
      }
    }
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
    const other = await fetch(`${replicas[1].url}/api/v1/functions/TenantPayments`, {
      headers: await auth('polite'),
    });
    expect(other.status).toBe(200);
    expect(other.headers.get('ratelimit-remaining')).toBe('75');
  });

  /** Resolves when the next commit on replica `i`'s bus has reached its listeners (live results' first). */
  const nextCommitAt = (i: number): Promise<void> =>
    new Promise((resolve) => {
      const off = replicas[i].app.get<TableCommitBus>(TABLE_COMMIT_BUS).subscribe(() => {
        off();
        resolve();
      });
    });
  /** Orders' cache generation, read on replica `i`'s own connection: after every command it sent before. */
  const ordersGeneration = async (i: number): Promise<number> =>
    Number(await replicas[i].app.get<Redis>(SHARED_REDIS).get('kqlgate:gen:Orders'));

  it('should share the cache, and an ingestion commit on one instance refreshes the other', async () => {
    const headers = await auth('cache');
    const get = async (i: number) =>
      (await (await fetch(`${replicas[i].url}/api/v1/functions/TenantOrderList`, { headers })).json()) as {
        data: { OrderId: string }[];
        meta: { cache: string };
      };
    const before = replicas.map((r) => r.kusto.queries);
    expect((await get(0)).meta.cache).toBe('miss');
    expect((await get(1)).meta.cache).toBe('hit');
    expect(replicas.map((r, i) => r.kusto.queries - before[i])).toEqual([1, 0]);

    await ingestInline(replicas[0], 'Orders', ['A,a-2,20']);
    const generation = await ordersGeneration(1);
    const heard = [nextCommitAt(0), nextCommitAt(1)];
    replicas[0].events.emit({ database: 'analytics', table: 'Orders', rows: 1 });
    await Promise.all(heard);
    // One write for the whole deployment, by the replica that committed, before either replica heard of it;
    // the replica that received it (it runs live results, which follow commits) writes nothing more.
    expect(replicas[1].app.get(LiveResultsService)).toBeDefined();
    expect(await ordersGeneration(1)).toBe(generation + 1);
    expect(await ordersGeneration(0)).toBe(generation + 1);

    const after = await get(1);
    expect(after.meta.cache).toBe('miss');
    expect(after.data.map((row) => row.OrderId)).toEqual(['a-1', 'a-2']);
  });
});
