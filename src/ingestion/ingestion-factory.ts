/**
 * The one way an IngestionPipeline is built from settings, without Nest: `npm start` (through
 * started-ingestion's buildIngestionPipeline), IngestionModule when the application runs without a started
 * pipeline, the integration tests and their SIGKILL fixture, and the ingestion benchmark all come here, so they
 * run the same wiring. Unit specs construct IngestionPipeline with in-memory doubles instead.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../common/logging/logger.js';
import type { KustoAuth } from '../common/azure/kusto-connection.js';
import type { EnvConfig } from '../config/env.dto.js';
import { DEFAULT_BACKOFF } from './backoff.js';
import { IngestionPipeline, type IngestionPipelineOptions } from './ingestion-pipeline.js';
import { KustoIngestSink, type IngestSink, type KustoIngestMode } from './kusto-ingest-sink.js';
import { KustoMessageIdIndex, type MessageIdIndex } from './message-id-index.js';
import { EMPTY_ROUTE_TABLE, loadRouteTable } from './route-table-loader.js';
import { SubscriptionReceiver } from './subscription-receiver.js';
import { TableRouter, type RouteTable } from './table-router.js';

/** Locks are renewed by the SDK for this long while a message waits (back-off during an engine outage). */
const MAX_LOCK_RENEWAL_MS = 30 * 60_000;

export interface IngestionSettings {
  serviceBus: {
    connectionString?: string;
    namespace?: string;
    topic: string;
    subscription: string;
    maxConcurrentCalls: number;
  };
  kusto: {
    clusterUrl: string;
    ingestUrl?: string;
    mode: KustoIngestMode;
    auth?: KustoAuth;
    /** Queued ingestions: the commit wait (KUSTO_INGEST_STATUS_TIMEOUT_MS) and status-table polling interval. */
    statusTimeoutMs?: number;
    statusPollMs?: number;
  };
  routes: RouteTable;
  pipeline: IngestionPipelineOptions;
}

/**
 * INGEST_ROUTES_FILE when set; else the route table that ships beside the analysts' tables
 * (`KQL_DIR/ingestion-routes.json`), so the sample domain routes out of the box; else none (only messages with
 * a `Table` application property can be routed).
 */
function routeTableFromConfig(config: EnvConfig): RouteTable {
  if (config.INGEST_ROUTES_FILE) {
    return loadRouteTable(config.INGEST_ROUTES_FILE);
  }
  const beside = join(config.KQL_DIR, 'ingestion-routes.json');
  return existsSync(beside) ? loadRouteTable(beside) : EMPTY_ROUTE_TABLE;
}

export function ingestionSettingsFromConfig(config: EnvConfig): IngestionSettings {
  return {
    serviceBus: {
      connectionString: config.serviceBusConnectionString,
      namespace: config.SERVICEBUS_NAMESPACE,
      topic: config.SERVICEBUS_TOPIC,
      subscription: config.SERVICEBUS_SUBSCRIPTION,
      maxConcurrentCalls: config.SERVICEBUS_MAX_CONCURRENT,
    },
    kusto: {
      clusterUrl: config.kustoClusterUrl,
      ingestUrl: config.KUSTO_INGEST_URL,
      mode: config.KUSTO_INGEST_MODE,
      auth: config.kustoAuth,
      statusTimeoutMs: config.KUSTO_INGEST_STATUS_TIMEOUT_MS,
    },
    routes: routeTableFromConfig(config),
    pipeline: {
      database: config.KUSTO_DATABASE,
      batch: {
        maxEvents: config.INGEST_BATCH_MAX_EVENTS,
        maxBytes: config.INGEST_BATCH_MAX_BYTES,
        maxAgeMs: config.INGEST_BATCH_MAX_AGE_MS,
      },
      maxInFlight: config.INGEST_MAX_IN_FLIGHT,
      maxParallelIngests: config.INGEST_MAX_PARALLEL,
      dedup: config.INGEST_DEDUP,
      dedupColumn: config.INGEST_DEDUP_COLUMN,
      backoff: DEFAULT_BACKOFF,
      // Leave the shutdown coordinator time to close the layers below after the drain.
      drainTimeoutMs: Math.max(1_000, config.SHUTDOWN_TIMEOUT_MS - 5_000),
      unreachableThresholdMs: config.INGEST_UNREACHABLE_THRESHOLD_MS,
      limits: { maxBodyBytes: config.INGEST_MAX_BODY_BYTES, maxJsonDepth: config.INGEST_MAX_JSON_DEPTH },
      stallThresholdMs: config.INGEST_STALL_THRESHOLD_MS,
    },
  };
}

export interface IngestionPipelineExtras {
  logger?: Logger;
  /** Wraps the engine clients, e.g. to time every request (the benchmark); the pipeline sees only the wrappers. */
  observe?: {
    sink?: (sink: IngestSink) => IngestSink;
    index?: (index: MessageIdIndex) => MessageIdIndex;
  };
}

export function createIngestionPipeline(
  settings: IngestionSettings,
  extras: IngestionPipelineExtras = {},
): IngestionPipeline {
  const source = new SubscriptionReceiver({
    ...settings.serviceBus,
    maxAutoLockRenewalDurationMs: MAX_LOCK_RENEWAL_MS,
  });
  const sink = new KustoIngestSink(settings.kusto);
  const index =
    settings.pipeline.dedup === 'off'
      ? undefined
      : new KustoMessageIdIndex(settings.kusto.clusterUrl, settings.kusto.auth);
  return new IngestionPipeline(
    {
      source,
      sink: extras.observe?.sink?.(sink) ?? sink,
      index: index && (extras.observe?.index?.(index) ?? index),
      router: new TableRouter(settings.routes),
      logger: extras.logger,
    },
    settings.pipeline,
  );
}
