import { Counter, Gauge, register } from 'prom-client';

function counter<T extends string>(name: string, help: string, labelNames: readonly T[]): Counter<T> {
  return (
    (register.getSingleMetric(name) as Counter<T> | undefined) ?? new Counter({ name, help, labelNames })
  );
}

function gauge(name: string, help: string): Gauge {
  return (register.getSingleMetric(name) as Gauge | undefined) ?? new Gauge({ name, help });
}

export const rateLimitMetrics = {
  // No principal label: one series per caller would grow without bound (anonymous callers count per address) and
  // publish caller ids; the audit line names the caller of each refusal.
  throttled: () =>
    counter('kqlgate_ratelimit_throttled_total', 'Requests refused with 429, by function and budget scope', [
      'function',
      'scope',
    ]),
  engineActive: () =>
    gauge('kqlgate_engine_queries_active', 'Engine queries running now (bounded by ENGINE_MAX_CONCURRENCY)'),
  engineQueued: () =>
    gauge(
      'kqlgate_engine_queries_queued',
      'Engine queries waiting for a slot (bounded by ENGINE_QUEUE_LIMIT)',
    ),
  engineRejected: () =>
    counter(
      'kqlgate_engine_queries_rejected_total',
      'Engine queries refused with 503 because the queue was full',
      [],
    ),
};
