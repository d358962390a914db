/**
 * Sends one sealed batch to Azure Data Explorer (or the embedded engine) with azure-kusto-ingest:
 * - `streaming`: StreamingIngestClient, one HTTP request per batch; the data is durable and queryable when it
 *   returns, which is what lets the pipeline settle right after it.
 * - `managed`: ManagedStreamingIngestClient — streaming with retries, falling back to queued ingestion for
 *   payloads over 4 MB or after repeated streaming failures.
 * - `queued`: QueuedIngestClient (blob + queue; status-table-ingest-client.ts). The SDK returns once the blob is queued, not when the rows are
 *   committed; ADX then applies the table's ingestion batching policy (default: seal after 5 min, 1000 blobs or
 *   1 GB, tune with `.alter table T policy ingestionbatching`) — freshness is minutes, not seconds. So the sink
 *   asks for status reports in the status table and returns only once the rows are COMMITTED
 *   (queued-ingestion-status.ts): the pipeline settles a message after that, never on a merely queued blob.
 *
 * Exactly once in queued and managed mode: the pipeline's dedup lookup cannot see rows still in the DM's queue.
 * Each queued ingestion therefore tags its extent `ingest-by:` once per message (IngestTarget.ingestByTags, derived
 * from the table and the message id) and asks `ingestIfNotExists` of the same tags. The DM then skips the whole
 * ingestion if any of its messages was committed before — however that earlier ingestion grouped them (a retry
 * after a status timeout, or messages redelivered after a crash and batched differently). A skipped ingestion
 * (`Skipped`) is reported as such: the pipeline looks its messages up again and ingests the ones that are not in
 * (ingest-retry.ts), since a skip stores none of them.
 *
 * Which path a batch took is counted in `kqlgate_ingestion_batches_total{path}` (IngestPath): in managed mode the
 * SDK decides, without telling — over 4 MB it queues at once, and after three failed streaming attempts (throttling
 * with 429, 5xx, timeouts; anything not `@permanent`) it queues what it could not stream. The sink tells them apart
 * by the size and by what came back (a status to wait for means queued).
 *
 * Managed mode queues a batch holding a redelivered message itself (`queued_redelivered`): the crashed consumer may
 * have left a queued ingestion of it pending, invisible to the dedup lookup, and a streamed copy would commit beside
 * it; queued, the two are guarded by the same ingest-by tags. (Found by managed-exactly-once.test.ts: 304 duplicates
 * in 10,000 after a SIGKILL.) A producer resend (not a redelivery) while such an ingestion is pending is still
 * streamed: that window stays open.
 *
 * Names and the request URL: azure-kusto-data splices the database, table and mapping names into the streaming
 * ingest URL as given (`{cluster}/v1/rest/ingest/{db}/{table}?streamFormat=…&mappingName=…`), so a `#`, `?`, `&`
 * or `/` in a name would cut or reshape the request. Every name is checked against Kusto's naming rule here (the
 * router already dead-letters messages that carry a bad one), and in streaming mode the names are handed over
 * percent-encoded. Managed and queued modes cannot encode them — the same properties also travel verbatim in the
 * queued-ingestion message — and rely on the check: a valid name has no character that means anything in a URL
 * path or query beyond a space or a non-ASCII letter, which URL serialisation percent-encodes.
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  DataFormat,
  ManagedStreamingIngestClient,
  ReportLevel,
  ReportMethod,
  StreamingIngestClient,
  StreamDescriptor,
} from 'azure-kusto-ingest';
import { kustoConnection, type KustoAuth } from '../common/azure/kusto-connection.js';
import { systemClock, type Clock } from './clock.js';
import { entityNameProblem } from './kusto-entity-name.js';
import { ingestionMetrics, type IngestionMetrics } from './ingestion-metrics.js';
import { isTableReport, waitForQueuedIngestion } from './queued-ingestion-status.js';
import { StatusTableIngestClient } from './status-table-ingest-client.js';

export type KustoIngestMode = 'streaming' | 'queued' | 'managed';

/** The path a batch took into Kusto (the `path` label of kqlgate_ingestion_batches_total). */
export type IngestPath =
  'streaming' | 'queued' | 'queued_over_4mb' | 'queued_after_streaming_failures' | 'queued_redelivered';

/** ManagedStreamingIngestClient streams payloads up to this size (its `maxStreamSize`) and queues larger ones. */
export const MANAGED_STREAMING_MAX_BYTES = 4 * 1024 * 1024;

export interface IngestTarget {
  database: string;
  table: string;
  format: 'json' | 'csv';
  mappingReference?: string;
  /**
   * Queued and managed mode: the extent's `ingest-by:` tags, one per message, also checked with ingestIfNotExists,
   * so no message commits twice (see the module comment). Streaming ignores them (it commits synchronously).
   */
  ingestByTags?: readonly string[];
  /**
   * Some message of the batch was delivered before (a crash or a lost lock). Managed mode then queues the batch
   * instead of streaming it: the earlier delivery may have left a queued ingestion of it pending, and only a queued
   * ingestion's ingestIfNotExists keeps the two from both committing (streaming ignores tags).
   */
  redelivered?: boolean;
}

/**
 * `committed`: the rows are durable and queryable. `skipped` (queued ingestion only): nothing was stored, because
 * an extent already carries one of the ingestion's `ingestIfNotExists` tags.
 */
export type IngestReceipt = 'committed' | 'skipped';

/** A target name that is not a Kusto entity name reached the sink: permanent, never sent (ingest-failure). */
export class InvalidIngestTargetError extends Error {
  override readonly name = 'InvalidIngestTargetError';
}

/** What the pipeline needs from a sink; KustoIngestSink is the real one. */
export interface IngestSink {
  /**
   * `drain` aborts when a stop gives up waiting: a queued ingestion then stops waiting for its commit and rejects
   * with DrainAbortedError. Its rows may still be committed later; the redelivered messages' ingest-by tags make the
   * next consumer's ingestion of them skip, so nothing is counted twice.
   */
  ingest(target: IngestTarget, payload: Buffer, drain?: AbortSignal): Promise<IngestReceipt>;
  close(): Promise<void>;
  /**
   * How many bytes of ingest-by tags (ingestByTagBytes) one ingestion may carry, when the sink may queue it;
   * undefined when it never does (streaming). The pipeline closes a batch before its tags would exceed it.
   */
  readonly ingestByTagBudgetBytes?: number;
}

/**
 * A queued ingestion travels as one Azure Storage queue message, which Azure caps at 64 KiB; azure-kusto-ingest
 * sends the ingestion's JSON base64-encoded, so the JSON may hold 3/4 of that. Without a bound on its tags, a batch of
 * a few hundred messages fails with "Failed to send message to queue." on every retry and reception stays paused.
 */
const QUEUE_MESSAGE_MAX_JSON_BYTES = (64 * 1024 * 3) / 4;

/**
 * Room left in the queue message for everything but the tags: the blob URL with its SAS token, the names (each at
 * most 260 characters), the mapping reference, ids and dates — well under 2 KiB in practice, 8 KiB with margin.
 */
const QUEUE_MESSAGE_OTHER_PROPERTIES_BYTES = 8 * 1024;

/** The tag bytes one queued ingestion may carry (40,960: 409 of kqlgate's 40-character tags). */
export const QUEUED_INGESTION_TAG_BUDGET_BYTES =
  QUEUE_MESSAGE_MAX_JSON_BYTES - QUEUE_MESSAGE_OTHER_PROPERTIES_BYTES;

/**
 * The bytes one ingest-by tag adds to the queue message, as the sink and the SDK write it: once in the `tags` list
 * (prefixed `ingest-by:`) and once in `ingestIfNotExists`, each a JSON array serialised into a string of the JSON
 * message (so its quotes are escaped), plus a separating comma each.
 */
export function ingestByTagBytes(tag: string): number {
  const inString = (element: string): number =>
    Buffer.byteLength(JSON.stringify(JSON.stringify(element))) - 2 + 1;
  return inString(`ingest-by:${tag}`) + inString(tag);
}

interface IngestClientLike {
  ingestFromStream(stream: StreamDescriptor, props: Record<string, unknown>): Promise<unknown>;
  close(): void;
}

export interface KustoIngestSinkOptions {
  mode: KustoIngestMode;
  /** Query/engine endpoint (KUSTO_CLUSTER_URL, or the embedded engine's URL). */
  clusterUrl: string;
  /** Data-management endpoint for queued/managed mode (KUSTO_INGEST_URL); derived from clusterUrl if absent. */
  ingestUrl?: string;
  /** How both endpoints are authenticated (KUSTO_AUTH); `auto` when absent. */
  auth?: KustoAuth;
  /** Queued ingestions (queued mode, managed fallback): how long to wait for the commit (KUSTO_INGEST_STATUS_TIMEOUT_MS). */
  statusTimeoutMs?: number;
  /** How often the status table is read while waiting; default 1 s. */
  statusPollMs?: number;
  clock?: Clock;
  /** Where the batch paths are counted; default the process's ingestion metrics. */
  metrics?: Pick<IngestionMetrics, 'batches'>;
}

export const DEFAULT_STATUS_TIMEOUT_MS = 15 * 60_000;
const DEFAULT_STATUS_POLL_MS = 1_000;

export class KustoIngestSink implements IngestSink {
  private readonly client: IngestClientLike;
  /** Managed mode: the queued client for redelivered batches (IngestTarget.redelivered). */
  private readonly queued?: IngestClientLike;
  readonly ingestByTagBudgetBytes?: number;

  constructor(readonly options: KustoIngestSinkOptions) {
    if (options.mode !== 'streaming') {
      this.ingestByTagBudgetBytes = QUEUED_INGESTION_TAG_BUDGET_BYTES;
    }
    const engine = kustoConnection(options.clusterUrl, options.auth);
    const dm = kustoConnection(options.ingestUrl ?? deriveIngestUrl(options.clusterUrl), options.auth);
    switch (options.mode) {
      case 'streaming':
        this.client = new StreamingIngestClient(engine);
        break;
      case 'managed':
        this.client = new ManagedStreamingIngestClient(engine, dm);
        this.queued = new StatusTableIngestClient(dm);
        break;
      case 'queued':
        this.client = new StatusTableIngestClient(dm);
        break;
    }
  }

  async ingest(target: IngestTarget, payload: Buffer, drain?: AbortSignal): Promise<IngestReceipt> {
    // A uuid (the SDK validates it): the request's client id for tracing.
    const sourceId = randomUUID();
    assertValidNames(target);
    const name = this.options.mode === 'streaming' ? encodeURIComponent : (value: string) => value;
    const client = target.redelivered === true && this.queued !== undefined ? this.queued : this.client;
    // Managed mode hands the SDK the Buffer itself: its queued fallback (over 4 MB) never finishes uploading a
    // one-chunk Readable (azure-kusto-ingest 7.0.1 streamUtils' stream merge), and it checks `instanceof Buffer`.
    const data =
      client instanceof ManagedStreamingIngestClient
        ? (payload as unknown as ArrayBuffer)
        : Readable.from([payload]);
    const descriptor = new StreamDescriptor(data, sourceId, undefined, payload.length);
    const props: Record<string, unknown> = {
      database: name(target.database),
      table: name(target.table),
      format: target.format === 'csv' ? DataFormat.CSV : DataFormat.JSON,
    };
    if (target.mappingReference !== undefined) {
      props.ingestionMappingReference = name(target.mappingReference);
    }
    if (this.options.mode !== 'streaming') {
      props.reportLevel = ReportLevel.FailuresAndSuccesses;
      props.reportMethod = ReportMethod.Table;
      if (target.ingestByTags !== undefined && target.ingestByTags.length > 0) {
        props.ingestByTags = [...target.ingestByTags];
        props.ingestIfNotExists = JSON.stringify(target.ingestByTags);
      }
    }
    const result = await client.ingestFromStream(descriptor, props);
    // Managed mode answers a streamed batch with the engine's response (committed already), a queued one with a
    // status to wait for.
    (this.options.metrics ?? ingestionMetrics()).batches.inc({
      table: target.table,
      path:
        client === this.queued ? 'queued_redelivered' : this.pathOf(payload.length, isTableReport(result)),
    });
    if (!isTableReport(result)) {
      return 'committed';
    }
    return waitForQueuedIngestion(result, `${target.database}.${target.table}`, {
      timeoutMs: this.options.statusTimeoutMs ?? DEFAULT_STATUS_TIMEOUT_MS,
      pollMs: this.options.statusPollMs ?? DEFAULT_STATUS_POLL_MS,
      clock: this.options.clock ?? systemClock,
      drain,
    });
  }

  private pathOf(bytes: number, queued: boolean): IngestPath {
    switch (this.options.mode) {
      case 'streaming':
        return 'streaming';
      case 'queued':
        return 'queued';
      case 'managed':
        if (!queued) {
          return 'streaming';
        }
        return bytes > MANAGED_STREAMING_MAX_BYTES ? 'queued_over_4mb' : 'queued_after_streaming_failures';
    }
  }

  close(): Promise<void> {
    this.client.close();
    this.queued?.close();
    return Promise.resolve();
  }
}

function assertValidNames(target: IngestTarget): void {
  const names: Array<[string, string | undefined]> = [
    ['database', target.database],
    ['table', target.table],
    ['mapping', target.mappingReference],
  ];
  for (const [kind, value] of names) {
    const problem = value === undefined ? undefined : entityNameProblem(value);
    if (problem !== undefined) {
      throw new InvalidIngestTargetError(
        `${kind} name ${JSON.stringify(value)} is not a Kusto ${kind} name: ${problem}`,
      );
    }
  }
}

/** ADX convention: https://mycluster.region.kusto.windows.net → https://ingest-mycluster.region.kusto.windows.net. */
export function deriveIngestUrl(clusterUrl: string): string {
  const url = new URL(clusterUrl);
  const host = url.hostname;
  if (host === 'localhost' || /^[\d.]+$/.test(host) || host.includes(':') || host.startsWith('ingest-')) {
    return clusterUrl;
  }
  url.hostname = `ingest-${host}`;
  return url.toString().replace(/\/$/, '');
}
