/**
 * Sends one sealed batch to Azure Data Explorer (or the embedded engine) with azure-kusto-ingest:
 * - `streaming`: StreamingIngestClient, one HTTP request per batch; the data is durable and queryable when it
 *   returns, which is what lets the pipeline settle right after it.
 * - `managed`: ManagedStreamingIngestClient — streaming with retries, falling back to queued ingestion for
 *   payloads over 4 MB or after repeated streaming failures.
 * - `queued`: QueuedIngestClient (blob + queue). It returns once the blob is queued, not when the rows are
 *   committed; ADX then applies the table's ingestion batching policy (default: seal after 5 min, 1000 blobs or
 *   1 GB, tune with `.alter table T policy ingestionbatching`) — freshness is minutes, not seconds.
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
  IngestClient,
  ManagedStreamingIngestClient,
  StreamingIngestClient,
  StreamDescriptor,
} from 'azure-kusto-ingest';
import { kustoConnection, type KustoAuth } from '../common/azure/kusto-connection.js';
import { entityNameProblem } from './kusto-entity-name.js';

export type KustoIngestMode = 'streaming' | 'queued' | 'managed';

export interface IngestTarget {
  database: string;
  table: string;
  format: 'json' | 'csv';
  mappingReference?: string;
}

/** A target name that is not a Kusto entity name reached the sink: permanent, never sent (ingest-failure). */
export class InvalidIngestTargetError extends Error {
  override readonly name = 'InvalidIngestTargetError';
}

/** What the pipeline needs from a sink; KustoIngestSink is the real one. */
export interface IngestSink {
  /** `sourceId` must be a uuid (the SDK validates it); it becomes the request's client id for tracing. */
  ingest(target: IngestTarget, payload: Buffer, sourceId?: string): Promise<void>;
  close(): Promise<void>;
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
}

export class KustoIngestSink implements IngestSink {
  private readonly client: IngestClientLike;

  constructor(readonly options: KustoIngestSinkOptions) {
    const engine = kustoConnection(options.clusterUrl, options.auth);
    const dm = kustoConnection(options.ingestUrl ?? deriveIngestUrl(options.clusterUrl), options.auth);
    switch (options.mode) {
      case 'streaming':
        this.client = new StreamingIngestClient(engine);
        break;
      case 'managed':
        this.client = new ManagedStreamingIngestClient(engine, dm);
        break;
      case 'queued':
        this.client = new IngestClient(dm);
        break;
    }
  }

  async ingest(target: IngestTarget, payload: Buffer, sourceId: string = randomUUID()): Promise<void> {
    assertValidNames(target);
    const name = this.options.mode === 'streaming' ? encodeURIComponent : (value: string) => value;
    const descriptor = new StreamDescriptor(Readable.from([payload]), sourceId, undefined, payload.length);
    const props: Record<string, unknown> = {
      database: name(target.database),
      table: name(target.table),
      format: target.format === 'csv' ? DataFormat.CSV : DataFormat.JSON,
    };
    if (target.mappingReference !== undefined) {
      props.ingestionMappingReference = name(target.mappingReference);
    }
    await this.client.ingestFromStream(descriptor, props);
  }

  close(): Promise<void> {
    this.client.close();
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
