/**
 * Prometheus metrics of the demo, on the registry and with the name prefix its host chooses (default: prom-client's
 * default registry, `demo_shop_`). kqlgate passes `kqlgate_demo_`, which gives the name it always had:
 * `kqlgate_demo_events_published_total`. Its own entry point (`@kqlgate/demo-shop/metrics`), so that a host can count
 * what a demo in another thread reports without loading the demo (and SQLite).
 */
import { Counter, register, type Registry } from 'prom-client';

export const DEFAULT_METRIC_PREFIX = 'demo_shop_';

export interface DemoMetricsOptions {
  /** Where the metrics are registered; default prom-client's default registry. */
  registry?: Registry;
  /** Prepended to every metric name; default `demo_shop_`. */
  prefix?: string;
}

/** Events the demo producer has published to Service Bus, by event type. */
export function demoEventsPublished(options: DemoMetricsOptions = {}): Counter<'type'> {
  const registry = options.registry ?? register;
  const name = `${options.prefix ?? DEFAULT_METRIC_PREFIX}events_published_total`;
  return (
    (registry.getSingleMetric(name) as Counter<'type'> | undefined) ??
    new Counter({
      name,
      help: 'Events published by the demo OLTP producer to the Service Bus topic, by event type',
      labelNames: ['type'] as const,
      registers: [registry],
    })
  );
}
