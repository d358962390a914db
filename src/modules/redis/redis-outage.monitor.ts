import { Counter, Gauge } from 'prom-client';
import { silentLogger, type Logger } from '../../common/logging/logger.js';
import { singletonMetric } from '../../common/metrics/metrics.registry.js';

/** What fell back to this replica's own state: the rate limiter, the result cache's coalescing. */
export type RedisFallbackComponent = 'rate_limit' | 'cache';

/** What the components sharing Redis report to: failures while Redis is away, success once it answers again. */
export interface RedisOutageReporter {
  /** An operation failed and `component` served it from replica-local state instead. */
  fellBack(component: RedisFallbackComponent, error: unknown): void;
  /** Redis failed outside an operation (connection error, failed ping). */
  failed(error: unknown): void;
  /** Redis answered. */
  recovered(): void;
}

/**
 * The one view of "is Redis away?" for a replica. While it is, rate limits and request coalescing run on this
 * replica's local state (limits then hold per replica) and the readiness check reports Redis `degraded`. One log
 * line when an outage starts and one when it ends, instead of one per failed call; `kqlgate_redis_degraded` is 1
 * meanwhile, and `kqlgate_redis_fallback_total{component}` counts the operations served locally.
 */
export class RedisOutageMonitor implements RedisOutageReporter {
  private readonly degradedGauge = singletonMetric(
    'kqlgate_redis_degraded',
    () =>
      new Gauge({
        name: 'kqlgate_redis_degraded',
        help: '1 while Redis is unreachable and rate limits and request coalescing use replica-local state',
      }),
  );
  private readonly fallbacks = singletonMetric(
    'kqlgate_redis_fallback_total',
    () =>
      new Counter({
        name: 'kqlgate_redis_fallback_total',
        help: 'Operations served from replica-local state because Redis failed, by component',
        labelNames: ['component'] as const,
      }),
  );
  private since?: number;

  constructor(
    private readonly logger: Logger = silentLogger,
    private readonly now: () => number = Date.now,
  ) {
    this.degradedGauge.set(0);
  }

  /** True from the first failure until Redis answers again. */
  get degraded(): boolean {
    return this.since !== undefined;
  }

  fellBack(component: RedisFallbackComponent, error: unknown): void {
    this.fallbacks.inc({ component });
    this.failed(error);
  }

  failed(error: unknown): void {
    if (this.since !== undefined) {
      return;
    }
    this.since = this.now();
    this.degradedGauge.set(1);
    this.logger.warn(
      { err: error instanceof Error ? error.message : String(error) },
      "Redis is unreachable: rate limits and request coalescing use this replica's local state (limits now hold per replica) until it answers again",
    );
  }

  recovered(): void {
    if (this.since === undefined) {
      return;
    }
    const outageSeconds = Math.round((this.now() - this.since) / 100) / 10;
    this.since = undefined;
    this.degradedGauge.set(0);
    this.logger.info(
      { outageSeconds },
      'Redis answers again: rate limits and the result cache are shared by the replicas again',
    );
  }
}
