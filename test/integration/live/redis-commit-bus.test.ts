import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/common/logging/logger.js';
import { TableLineage } from '../../../src/modules/cache/table-lineage.js';
import { RedisCommitBus, TABLE_COMMIT_CHANNEL } from '../../../src/modules/live/redis-commit.bus.js';
import type { TableCommit } from '../../../src/modules/live/table-commit.bus.js';
import { redisUnavailableReason, startRedis, type RunningRedis } from '../cache/redis-server.js';

const unavailable = redisUnavailableReason();
if (unavailable) {
  console.warn(`SKIPPED redis-commit-bus.test.ts: ${unavailable}`);
}

/**
 * An ingestion replica's commit reaches a gateway replica (which runs no ingestion) through a real redis-server:
 * each replica is a RedisCommitBus with its own connections, as two processes would have.
 */
describe.skipIf(unavailable !== undefined)(RedisCommitBus.name, () => {
  let redis: RunningRedis;
  const buses: RedisCommitBus[] = [];

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    for (const bus of buses) {
      await bus.close();
    }
    await redis?.stop();
  });

  // Orders is derived from RawOrderEvents by an update policy, as in kql/tables.
  const lineage = TableLineage.fromPolicies([{ table: 'Orders', source: 'RawOrderEvents' }]);
  const bus = (): RedisCommitBus => {
    const created = RedisCommitBus.connect(redis.url, lineage, silentLogger);
    buses.push(created);
    return created;
  };
  const nextCommit = (on: RedisCommitBus): Promise<TableCommit> =>
    new Promise((resolve) => {
      const off = on.subscribe((commit) => {
        off();
        resolve(commit);
      });
    });
  /** Subscribing is asynchronous: wait until redis counts the subscriber connections on the channel. */
  const subscribers = async (expected: number): Promise<void> => {
    const probe = new Redis(redis.url);
    try {
      for (let attempt = 0; attempt < 100; attempt += 1) {
        const [, count] = (await probe.pubsub('NUMSUB', TABLE_COMMIT_CHANNEL)) as [string, number];
        if (count >= expected) {
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`fewer than ${expected} subscribers on ${TABLE_COMMIT_CHANNEL}`);
    } finally {
      probe.disconnect();
    }
  };

  describe('publish', () => {
    it("should deliver an ingestion replica's commit to a gateway replica and to itself, stamped with its origin", async () => {
      const ingestion = bus();
      const gateway = bus();
      const atGateway = nextCommit(gateway);
      const atIngestion = nextCommit(ingestion);
      await subscribers(2);
      ingestion.publish({ database: 'analytics', table: 'RawOrderEvents', rows: 3 });
      const expected = { database: 'analytics', table: 'RawOrderEvents', rows: 3, origin: ingestion.origin };
      expect(await atGateway).toEqual(expected);
      expect(await atIngestion).toEqual(expected);
      expect(gateway.origin).not.toBe(ingestion.origin);
    });

    it('should deliver its own commit once, straight to its listeners, and still while Redis is unreachable', async () => {
      const ingestion = bus();
      const seen: TableCommit[] = [];
      ingestion.subscribe((commit) => seen.push(commit));
      const gateway = bus();
      const atGateway = nextCommit(gateway);
      await subscribers(2);
      ingestion.publish({ database: 'analytics', table: 'Orders', rows: 2 });
      await atGateway;
      // The echo from Redis reached the gateway; give this replica's own echo the same time to arrive.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(seen).toEqual([{ database: 'analytics', table: 'Orders', rows: 2, origin: ingestion.origin }]);

      const cutOff = RedisCommitBus.connect('redis://127.0.0.1:1', lineage, silentLogger);
      buses.push(cutOff);
      const local = nextCommit(cutOff);
      cutOff.publish({ database: 'analytics', table: 'Orders', rows: 1 });
      expect(await local).toEqual({ database: 'analytics', table: 'Orders', rows: 1, origin: cutOff.origin });
    });

    it('should bump the generations of the table and of the tables derived from it once, before any replica hears of the commit', async () => {
      const probe = new Redis(redis.url);
      // The buses of the tests before stay subscribed until the end.
      const [, earlier] = (await probe.pubsub('NUMSUB', TABLE_COMMIT_CHANNEL)) as [string, number];
      const ingestion = bus();
      const gateways = [bus(), bus()];
      try {
        const generations = async (): Promise<(string | null)[]> =>
          probe.mget('kqlgate:gen:RawOrderEvents', 'kqlgate:gen:Orders', 'kqlgate:gen:Payments');
        const before = (await generations()).map(Number);
        // What each gateway replica reads when the commit reaches it.
        const seenAtGateways = gateways.map(
          (gateway) =>
            new Promise<number[]>((resolve) => {
              const off = gateway.subscribe(() => {
                off();
                resolve(generations().then((values) => values.map(Number)));
              });
            }),
        );
        const seenAtIngestion = nextCommit(ingestion).then(generations);
        await subscribers(earlier + 3);
        ingestion.publish({ database: 'analytics', table: 'RawOrderEvents', rows: 4 });
        const once = [before[0] + 1, before[1] + 1, before[2]];
        expect(await Promise.all(seenAtGateways)).toEqual([once, once]);
        expect((await seenAtIngestion).map(Number)).toEqual(once);
        expect((await generations()).map(Number)).toEqual(once);
      } finally {
        probe.disconnect();
      }
    });

    it('should ignore a malformed message on the channel and deliver the next commit', async () => {
      const gateway = bus();
      const publisher = bus();
      const received = nextCommit(gateway);
      await subscribers(1);
      const raw = new Redis(redis.url);
      await raw.publish(TABLE_COMMIT_CHANNEL, '{"table":42}');
      raw.disconnect();
      publisher.publish({ database: 'analytics', table: 'Orders', rows: 1 });
      expect(await received).toEqual({
        database: 'analytics',
        table: 'Orders',
        rows: 1,
        origin: publisher.origin,
      });
    });
  });
});
