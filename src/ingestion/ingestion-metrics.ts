/** Prometheus metrics of the ingestion path (`kqlgate_ingestion_*`), registered once on prom-client's registry. */
import { Counter, Gauge, Histogram } from 'prom-client';
import { singletonMetric } from '../common/metrics/metrics.registry.js';

export interface IngestionMetrics {
  received: Counter<'table'>;
  ingested: Counter<'table'>;
  duplicates: Counter<'table'>;
  deadLettered: Counter<'table' | 'reason'>;
  transientFailures: Counter<'table' | 'operation'>;
  settlementFailures: Counter<'operation'>;
  batches: Counter<'table' | 'path'>;
  batchEvents: Histogram<'table'>;
  batchBytes: Histogram<'table'>;
  ingestDuration: Histogram<'table' | 'outcome'>;
  freshness: Histogram<'table'>;
  inFlight: Gauge;
  paused: Gauge;
}

let metrics: IngestionMetrics | undefined;

export function ingestionMetrics(): IngestionMetrics {
  metrics ??= {
    received: counter(
      'kqlgate_ingestion_messages_received_total',
      'Messages received from the subscription',
      ['table'],
    ),
    ingested: counter(
      'kqlgate_ingestion_messages_ingested_total',
      'Messages whose rows were durably ingested',
      ['table'],
    ),
    duplicates: counter(
      'kqlgate_ingestion_messages_duplicate_total',
      'Messages completed without ingest because their MessageId was already in the table or in flight',
      ['table'],
    ),
    deadLettered: counter(
      'kqlgate_ingestion_messages_dead_lettered_total',
      'Messages moved to the dead-letter queue',
      ['table', 'reason'],
    ),
    transientFailures: counter(
      'kqlgate_ingestion_transient_failures_total',
      'Ingest or dedup lookups that failed transiently and were retried after back-off',
      ['table', 'operation'],
    ),
    settlementFailures: counter(
      'kqlgate_ingestion_settlement_failures_total',
      'complete/dead-letter/abandon calls that failed (the message is redelivered and deduplicated)',
      ['operation'],
    ),
    batches: counter(
      'kqlgate_ingestion_batches_total',
      'Batches handed to Kusto, by the path they took: streaming, queued, and in managed mode queued_over_4mb ' +
        '(over the streaming request limit) or queued_after_streaming_failures (streaming refused three times, ' +
        'e.g. throttled with 429) or queued_redelivered (a redelivered batch, queued to guard against a pending ' +
        'queued ingestion of its earlier delivery)',
      ['table', 'path'],
    ),
    batchEvents: histogram(
      'kqlgate_ingestion_batch_events',
      'Messages per ingested batch',
      ['table'],
      [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000],
    ),
    batchBytes: histogram(
      'kqlgate_ingestion_batch_bytes',
      'Uncompressed bytes per ingested batch',
      ['table'],
      [1024, 8192, 65536, 262144, 1048576, 2097152, 4194304],
    ),
    ingestDuration: histogram(
      'kqlgate_ingestion_ingest_duration_seconds',
      'Duration of one ingest request',
      ['table', 'outcome'],
      [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    ),
    freshness: histogram(
      'kqlgate_ingestion_freshness_seconds',
      'End-to-end freshness: enqueued on the topic → ingested and settled',
      ['table'],
      [0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 5, 10, 30, 60],
    ),
    inFlight: singletonMetric(
      'kqlgate_ingestion_in_flight_messages',
      () =>
        new Gauge({
          name: 'kqlgate_ingestion_in_flight_messages',
          help: 'Received, not yet settled messages',
        }),
    ),
    paused: singletonMetric(
      'kqlgate_ingestion_paused',
      () =>
        new Gauge({
          name: 'kqlgate_ingestion_paused',
          help: '1 while reception is paused because the engine is failing transiently',
        }),
    ),
  };
  return metrics;
}

function counter<L extends string>(name: string, help: string, labelNames: L[]): Counter<L> {
  return singletonMetric(name, () => new Counter({ name, help, labelNames }));
}

function histogram<L extends string>(
  name: string,
  help: string,
  labelNames: L[],
  buckets: number[],
): Histogram<L> {
  return singletonMetric(name, () => new Histogram({ name, help, labelNames, buckets }));
}
