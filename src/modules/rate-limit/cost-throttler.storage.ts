import type { Redis } from 'ioredis';

/** A window's record: hits in the window, seconds until it expires, and whether the key is blocked. */
export interface CostThrottlerRecord {
  totalHits: number;
  timeToExpire: number;
  isBlocked: boolean;
  timeToBlockExpire: number;
}

/**
 * A fixed-window counter shaped like @nestjs/throttler's storage contract (`increment(key, ttl, limit,
 * blockDuration, throttlerName)`, ttl in ms, times returned in seconds) with a `cost`: a function may weigh more
 * than one hit. Fixed windows: the window starts with the first hit and the budget refills at once when it ends.
 * A request that does not fit is refused without being counted, so one expensive call cannot starve the caller's
 * cheaper ones for longer than the window.
 */
export interface CostThrottlerStorage {
  increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
    cost?: number,
  ): Promise<CostThrottlerRecord>;
}

export class MemoryThrottlerStorage implements CostThrottlerStorage {
  private readonly windows = new Map<string, { hits: number; expiresAt: number }>();
  private sweptAt = 0;

  constructor(private readonly now: () => number = Date.now) {}

  increment(
    key: string,
    ttl: number,
    limit: number,
    _blockDuration: number,
    throttlerName: string,
    cost = 1,
  ): Promise<CostThrottlerRecord> {
    const now = this.now();
    this.sweep(now);
    const id = `${throttlerName}:${key}`;
    let window = this.windows.get(id);
    if (!window || window.expiresAt <= now) {
      window = { hits: 0, expiresAt: now + ttl };
      this.windows.set(id, window);
    }
    const timeToExpire = Math.ceil((window.expiresAt - now) / 1000);
    if (window.hits + cost > limit) {
      return Promise.resolve({
        totalHits: window.hits,
        timeToExpire,
        isBlocked: true,
        timeToBlockExpire: timeToExpire,
      });
    }
    window.hits += cost;
    return Promise.resolve({ totalHits: window.hits, timeToExpire, isBlocked: false, timeToBlockExpire: 0 });
  }

  private sweep(now: number): void {
    // Expired windows are dropped at most once a second so idle callers do not accumulate.
    if (now - this.sweptAt < 1000) {
      return;
    }
    this.sweptAt = now;
    for (const [id, window] of this.windows) {
      if (window.expiresAt <= now) {
        this.windows.delete(id);
      }
    }
  }
}

/** Check-and-add in one atomic step, so replicas sharing Redis never overspend a budget between GET and INCR. */
const INCREMENT_SCRIPT = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local pttl = redis.call('PTTL', KEYS[1])
local cost = tonumber(ARGV[1])
if pttl < 0 then
  redis.call('DEL', KEYS[1])
  current = 0
  pttl = tonumber(ARGV[3])
end
if current + cost > tonumber(ARGV[2]) then
  return {current, pttl, 1}
end
current = redis.call('INCRBY', KEYS[1], cost)
if current == cost then
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
end
return {current, pttl, 0}
`;

export class RedisThrottlerStorage implements CostThrottlerStorage {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'kqlgate:rl:',
  ) {}

  async increment(
    key: string,
    ttl: number,
    limit: number,
    _blockDuration: number,
    throttlerName: string,
    cost = 1,
  ): Promise<CostThrottlerRecord> {
    const [hits, pttl, blocked] = (await this.redis.eval(
      INCREMENT_SCRIPT,
      1,
      `${this.prefix}${throttlerName}:${key}`,
      cost,
      limit,
      ttl,
    )) as [number, number, number];
    const timeToExpire = Math.ceil(pttl / 1000);
    return {
      totalHits: hits,
      timeToExpire,
      isBlocked: blocked === 1,
      timeToBlockExpire: blocked === 1 ? timeToExpire : 0,
    };
  }
}
