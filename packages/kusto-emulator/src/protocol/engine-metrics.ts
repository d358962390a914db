/**
 * Prometheus metrics of the engine, on the registry and with the name prefix its host chooses (default: prom-client's
 * default registry, `kusto_emulator_`). kqlgate passes `kqlgate_kusto_`, which gives the names its dashboards use:
 * `kqlgate_kusto_request_duration_seconds` and `kqlgate_kusto_ingested_rows_total`.
 */
import { Counter, Histogram, register, type Registry } from 'prom-client';

export const DEFAULT_METRIC_PREFIX = 'kusto_emulator_';

export interface EngineMetricsOptions {
  /** Where the metrics are registered; default prom-client's default registry. */
  registry?: Registry;
  /** Prepended to every metric name; default `kusto_emulator_`. */
  prefix?: string;
}

export class EngineMetrics {
  readonly requestDuration: Histogram<'endpoint' | 'status'>;
  readonly ingestedRows: Counter<'database' | 'table'>;

  constructor(options: EngineMetricsOptions = {}) {
    const registry = options.registry ?? register;
    const prefix = options.prefix ?? DEFAULT_METRIC_PREFIX;
    // Several engines may run in one process (tests): the second one shares the first one's metrics.
    this.requestDuration = registered(
      registry,
      `${prefix}request_duration_seconds`,
      (name) =>
        new Histogram({
          name,
          help: 'Embedded Kusto engine request duration by endpoint (query, mgmt, ingest) and HTTP status',
          labelNames: ['endpoint', 'status'] as const,
          buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
          registers: [registry],
        }),
    );
    this.ingestedRows = registered(
      registry,
      `${prefix}ingested_rows_total`,
      (name) =>
        new Counter({
          name,
          help: 'Rows stored by streaming ingestion into the embedded Kusto engine (before update policies)',
          labelNames: ['database', 'table'] as const,
          registers: [registry],
        }),
    );
  }
}

function registered<T>(registry: Registry, name: string, create: (name: string) => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? create(name);
}
