import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from '../../common/logging/logger.js';
import { tableGenerationKey } from '../cache/redis-cache.store.js';
import type { TableLineage } from '../cache/table-lineage.js';
import type { TableCommit, TableCommitBus, TableCommitListener } from './table-commit.bus.js';

/** The pub/sub channel every replica of one deployment (one Redis) shares. */
export const TABLE_COMMIT_CHANNEL = 'kqlgate:table-commits';

/**
 * Commits through Redis pub/sub: an ingestion replica publishes, every other replica receives. The publication is
 * one MULTI with the INCR of the cache generations of the committed table and of every table derived from it
 * (TableLineage), so every replica's cache is invalidated by one write per table, done by the replica that
 * committed, before any replica hears of the commit: receivers only re-run their live subscriptions. This replica's
 * own commits go to its listeners directly once that transaction has settled (and their echo from Redis is dropped
 * by origin), so a replica running ingestion and the gateway keeps its live results while Redis is away. Pub/sub is fire-and-forget: a commit
 * published while Redis is away does not reach the other replicas, and the subscriptions it concerned there are
 * refreshed by the next commit. The subscriber connection is opened only when something subscribes, so an
 * ingestion-only replica holds one connection.
 */
export class RedisCommitBus implements TableCommitBus {
  readonly origin = randomUUID();
  private readonly listeners = new Set<TableCommitListener>();
  private subscriber?: Redis;

  constructor(
    private readonly publisher: Redis,
    private readonly lineage: TableLineage,
    private readonly logger: Logger,
  ) {}

  static connect(url: string, lineage: TableLineage, logger: Logger): RedisCommitBus {
    const redis = new Redis(url, {
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      commandTimeout: 2_000,
    });
    redis.on('error', (error: Error) =>
      logger.debug({ err: error.message }, 'live commit publisher: redis error'),
    );
    return new RedisCommitBus(redis, lineage, logger);
  }

  publish(commit: Omit<TableCommit, 'origin'>): void {
    const stamped: TableCommit = { ...commit, origin: this.origin };
    const transaction = this.publisher.multi();
    for (const table of this.lineage.affectedBy(commit.table)) {
      transaction.incr(tableGenerationKey(table));
    }
    transaction.publish(TABLE_COMMIT_CHANNEL, JSON.stringify(stamped));
    transaction
      .exec()
      .then((replies) => {
        const failed = replies?.find(([error]) => error !== null)?.[0];
        if (failed) {
          throw failed;
        }
      })
      .catch((error: unknown) =>
        this.logger.warn(
          { table: commit.table, err: error instanceof Error ? error.message : String(error) },
          'could not bump the cache generations and publish a table commit in Redis; cached results may be stale until their TTL ends, and live subscriptions on other replicas see it at the next commit',
        ),
      )
      // Its own listeners hear of it once the generations are bumped (or could not be): their re-runs miss the cache.
      .finally(() => this.deliver(stamped));
  }

  subscribe(listener: TableCommitListener): () => void {
    this.listeners.add(listener);
    this.subscriber ??= this.openSubscriber();
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
    for (const redis of [this.subscriber, this.publisher]) {
      if (redis && redis.status !== 'end') {
        await redis.quit().catch(() => redis.disconnect());
      }
    }
  }

  private deliver(commit: TableCommit): void {
    for (const listener of this.listeners) {
      listener(commit);
    }
  }

  private openSubscriber(): Redis {
    // A connection in subscriber mode can do nothing else; ioredis subscribes again after each reconnection.
    const subscriber = this.publisher.duplicate({ enableOfflineQueue: true });
    subscriber.on('error', (error: Error) =>
      this.logger.debug({ err: error.message }, 'live commit subscriber: redis error'),
    );
    subscriber.on('message', (_channel: string, message: string) => {
      const commit = parseCommit(message);
      if (!commit) {
        this.logger.warn({ channel: TABLE_COMMIT_CHANNEL }, 'ignored a malformed table commit message');
        return;
      }
      if (commit.origin !== this.origin) {
        this.deliver(commit);
      }
    });
    subscriber
      .subscribe(TABLE_COMMIT_CHANNEL)
      .catch((error: unknown) =>
        this.logger.error(
          { err: error instanceof Error ? error.message : String(error) },
          'could not subscribe to table commits in Redis; live results on this replica wait for the reconnection',
        ),
      );
    return subscriber;
  }
}

function parseCommit(message: string): TableCommit | undefined {
  try {
    const value = JSON.parse(message) as Partial<TableCommit>;
    if (
      typeof value.database === 'string' &&
      typeof value.table === 'string' &&
      typeof value.rows === 'number' &&
      typeof value.origin === 'string'
    ) {
      return { database: value.database, table: value.table, rows: value.rows, origin: value.origin };
    }
  } catch {
    // Not JSON: reported by the caller.
  }
  return undefined;
}
