import type { Redis } from 'ioredis';
import type { ReadinessResult } from '../../common/health/readiness-registry.js';
import type { RedisOutageReporter } from './redis-outage.monitor.js';

/** Under the readiness registry's own 2 s bound, so a hung Redis is reported `degraded`, not timed out (`down`). */
const PING_TIMEOUT_MS = 1_000;

/**
 * The readiness of Redis: `up` when it answers a PING, else `degraded` — never `down`. Without Redis the gateway
 * still serves (replica-local rate limits and coalescing, uncached results), so failing readiness would only pull
 * every replica out of service at once.
 */
export async function redisReadiness(
  redis: Pick<Redis, 'ping'>,
  outage: RedisOutageReporter,
  timeoutMs = PING_TIMEOUT_MS,
): Promise<ReadinessResult> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      redis.ping(),
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer to PING within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    outage.recovered();
    return { up: true, details: { latencyMs: Math.round(performance.now() - started) } };
  } catch (error) {
    outage.failed(error);
    return {
      up: true,
      degraded: true,
      details: {
        error: error instanceof Error ? error.message : String(error),
        fallback: "rate limits and request coalescing use this replica's local state; results are not cached",
      },
    };
  } finally {
    clearTimeout(timer);
  }
}
