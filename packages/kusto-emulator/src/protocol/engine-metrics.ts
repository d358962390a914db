/** Prometheus metrics of the embedded engine, on prom-client's default registry. */
import { Counter, Histogram } from 'prom-client';
import { singletonMetric } from '../../../common/metrics/metrics.registry.js';

export function kustoRequestDuration(): Histogram<'endpoint' | 'status'> {
  return singletonMetric(
    'kqlgate_kusto_request_duration_seconds',
    () =>
      new Histogram({
        name: 'kqlgate_kusto_request_duration_seconds',
        help: 'Embedded Kusto engine request duration by endpoint (query, mgmt, ingest) and HTTP status',
        labelNames: ['endpoint', 'status'] as const,
        buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      }),
  );
}

export function kustoIngestedRows(): Counter<'database' | 'table'> {
  return singletonMetric(
    'kqlgate_kusto_ingested_rows_total',
    () =>
      new Counter({
        name: 'kqlgate_kusto_ingested_rows_total',
        help: 'Rows stored by streaming ingestion into the embedded Kusto engine (before update policies)',
        labelNames: ['database', 'table'] as const,
      }),
  );
}
