import { Histogram, collectDefaultMetrics, register, type Registry } from 'prom-client';

let defaultsCollected = false;

/**
 * The process-wide Prometheus registry. Every component registers its metrics on prom-client's default registry
 * (named `kqlgate_<area>_<what>`); this module adds the default process metrics once.
 */
export function metricsRegistry(): Registry {
  if (!defaultsCollected) {
    defaultsCollected = true;
    collectDefaultMetrics({ register, prefix: 'kqlgate_' });
  }
  return register;
}

/**
 * The name prefixes kqlgate gives the metrics of the packages it runs in its process (their own defaults name the
 * package instead), so that every name stays `kqlgate_<area>_<what>` as the dashboards expect.
 */
export const PACKAGE_METRIC_PREFIXES = {
  kustoEmulator: 'kqlgate_kusto_',
  servicebusEmulator: 'kqlgate_servicebus_',
  demoShop: 'kqlgate_demo_',
} as const;

/** Returns the registered metric of that name, or registers the one `create` builds (safe across re-imports). */
export function singletonMetric<T>(name: string, create: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? create();
}

export function httpRequestDuration(): Histogram<'method' | 'route' | 'status_code'> {
  return singletonMetric(
    'kqlgate_http_request_duration_seconds',
    () =>
      new Histogram({
        name: 'kqlgate_http_request_duration_seconds',
        help: 'HTTP request duration by method, route pattern and status code',
        labelNames: ['method', 'route', 'status_code'] as const,
        buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      }),
  );
}
