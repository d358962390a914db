import type { RedisOutageReporter } from '../redis/redis-outage.monitor.js';
import {
  MemoryThrottlerStorage,
  type CostThrottlerRecord,
  type CostThrottlerStorage,
} from './cost-throttler.storage.js';

/**
 * The shared (Redis) budget store, backed by this replica's local one while Redis is away, so that limits stay
 * enforced — per replica — instead of falling open. Every call Redis accepts is also counted locally, so a
 * fallback starts from what this replica already spent in the window rather than from a fresh budget.
 */
export class FallbackThrottlerStorage implements CostThrottlerStorage {
  constructor(
    private readonly shared: CostThrottlerStorage,
    private readonly outage: RedisOutageReporter,
    private readonly local: CostThrottlerStorage = new MemoryThrottlerStorage(),
  ) {}

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
    cost = 1,
  ): Promise<CostThrottlerRecord> {
    let record: CostThrottlerRecord;
    try {
      record = await this.shared.increment(key, ttl, limit, blockDuration, throttlerName, cost);
    } catch (error) {
      this.outage.fellBack('rate_limit', error);
      return this.local.increment(key, ttl, limit, blockDuration, throttlerName, cost);
    }
    this.outage.recovered();
    if (!record.isBlocked) {
      await this.local.increment(key, ttl, limit, blockDuration, throttlerName, cost);
    }
    return record;
  }
}
