import { Counter, Gauge } from 'prom-client';
import { singletonMetric } from '../../common/metrics/metrics.registry.js';
import type { LiveEndReason } from './live-close.js';

/** The live-results metrics, on the process registry (`kqlgate_live_*`). */
export class LiveMetrics {
  readonly active = singletonMetric(
    'kqlgate_live_subscriptions',
    () =>
      new Gauge({
        name: 'kqlgate_live_subscriptions',
        help: 'Open live subscriptions (SSE streams, GraphQL subscriptions) on this replica',
      }),
  );

  readonly pushes = singletonMetric(
    'kqlgate_live_pushes_total',
    () =>
      new Counter({
        name: 'kqlgate_live_pushes_total',
        help: 'Results pushed to live subscribers, by function (a re-run whose rows did not change pushes nothing)',
        labelNames: ['function'] as const,
      }),
  );

  readonly reruns = singletonMetric(
    'kqlgate_live_reruns_total',
    () =>
      new Counter({
        name: 'kqlgate_live_reruns_total',
        help: 'Re-runs of live subscriptions after ingestion, by function and outcome (changed, unchanged, error)',
        labelNames: ['function', 'outcome'] as const,
      }),
  );

  readonly ended = singletonMetric(
    'kqlgate_live_closed_total',
    () =>
      new Counter({
        name: 'kqlgate_live_closed_total',
        help: 'Live subscriptions ended, by reason (a close code, or CLIENT_GONE when the client left)',
        labelNames: ['reason'] as const,
      }),
  );

  closed(reason: LiveEndReason): void {
    this.ended.inc({ reason });
    this.active.dec();
  }
}
