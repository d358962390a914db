import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
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
  /**
   * Each test starts with no subscriber on the channel, so counting them tells when all of its own buses listen. A
   * bus of an earlier test still subscribing would otherwise be counted in place of one of this test's, and a commit
   * published before that one listens never reaches it (pub/sub keeps nothing).
   */
  afterEach(async () => {
    await Promise.all(buses.splice(0).map((bus) => bus.close()));
    await subscribers((count) => count === 0, 'no subscriber');
  });
  afterAll(async () => {
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
  /** Subscribing and closing are asynchronous: wait until redis counts the expected subscriber connections. */
  const subscribers = async (expected: (count: number) => boolean, what: string): Promise<void> => {
    const probe = new Redis(redis.url);
    try {
      for (let attempt = 0; attempt < 200; attempt += 1) {
        const [, count] = (await probe.pubsub('NUMSUB', TABLE_COMMIT_CHANNEL)) as [string, number];
        if (expected(count)) {
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`not ${what} on ${TABLE_COMMIT_CHANNEL} after 10 s`);
    } finally {
      probe.disconnect();
    }
  };
  const listening = (expected: number): Promise<void> =>
    subscribers((count) => count === expected, `${expected} subscribers`);

  describe('publish', () => {
    it("should deliver an ingestion replica's commit to a gateway replica and to itself, stamped with its origin", async () => {
      const ingestion = bus();
      const gateway = bus();
      const atGateway = nextCommit(gateway);
      const atIngestion = nextCommit(ingestion);
      await listening(2);
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
      await listening(2);
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
        await listening(3);
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
      await listening(1);
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
