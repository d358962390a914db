/**
 * azure-kusto-ingest's queued IngestClient without the fixed 3 s it adds to every ingestion that asks for table
 * reports (the sink always does: it waits for the commit through the status table).
 *
 * The SDK (7.0.1) writes the `Pending` status entity with `putRecordInTable`, a retry loop with no exit on success:
 * having created the entity it creates it again, gets 409 Conflict, backs off 1 s, gets 409 again, backs off 2 s,
 * and stops only after a third failure. Against an http endpoint (the embedded engine) its TableClient refuses every
 * call, with the same back-offs. Either way the queue message leaves 3 s late, batch after batch.
 *
 * This client writes the Pending entity once, then sends the same queue message the SDK builds (IngestionBlobInfo)
 * through the SDK's own queue sender, so the choice of queue and its retries stay the SDK's. Everything else (the
 * upload, other report settings, streaming) is the SDK's code path unchanged.
 */
import { randomUUID } from 'node:crypto';
import { TableClient } from '@azure/data-tables';
import {
  BlobDescriptor,
  IngestClient,
  IngestionStatusInTableDescription,
  OperationStatus,
  ReportLevel,
  ReportMethod,
  type IngestionProperties,
  type IngestionResult,
  type IngestionStatus,
} from 'azure-kusto-ingest';
import { allowsInsecureConnection } from './queued-ingestion-status.js';

type IngestionPropertiesInput = Parameters<IngestClient['ingestFromBlob']>[1];

/** The SDK's private queue sender (KustoIngestClientBase.sendQueueMessage): the first of its queues that accepts. */
interface QueueSender {
  sendQueueMessage(maxRetries: number, blobInfo: object): Promise<unknown>;
}

/** What the sink reads of the answer (queued-ingestion-status.ts TableReport), as the SDK's own result has it. */
export interface StatusTableReport extends IngestionResult {
  ingestionStatusInTableDescription: IngestionStatusInTableDescription;
  tableClient: TableClient;
}

export class StatusTableIngestClient extends IngestClient {
  override async ingestFromBlob(
    blob: string | BlobDescriptor,
    ingestionProperties?: IngestionPropertiesInput,
    maxRetries = IngestClient.MaxNumberOfRetryAttempts,
  ): Promise<IngestionResult> {
    const props = this._getMergedProps(ingestionProperties);
    const sender = this as unknown as Partial<QueueSender>;
    if (
      props.reportLevel === ReportLevel.DoNotReport ||
      props.reportMethod === ReportMethod.Queue ||
      typeof sender.sendQueueMessage !== 'function'
    ) {
      return super.ingestFromBlob(blob, ingestionProperties, maxRetries);
    }
    this.ensureOpen();
    const descriptor = blob instanceof BlobDescriptor ? blob : new BlobDescriptor(blob);
    const id = descriptor.sourceId || randomUUID();
    const tableClient = await this.statusTableClient();
    const pending = this.statusEntity(props, id, descriptor.path);
    // Once: the sink counts a missing entity as pending, and the data-management service writes the final status
    // whether or not this one exists.
    await tableClient.createEntity({ ...pending, partitionKey: id, rowKey: id }).catch(() => undefined);
    const status = new IngestionStatusInTableDescription(tableClient.url, id, id);
    const blobInfo = {
      ...ingestionBlobInfo(descriptor, props, id, await this.resourceManager.getAuthorizationContext()),
      ApplicationForTracing: this.applicationForTracing,
      ClientVersionForTracing: this.clientVersionForTracing,
      IngestionStatusInTable: status,
    };
    await (sender as QueueSender).sendQueueMessage(maxRetries, blobInfo);
    const report: StatusTableReport = {
      ingestionStatusInTableDescription: status,
      tableClient,
      getIngestionStatusCollection: () => tableClient.getEntity<IngestionStatus>(id, id),
    };
    return report;
  }

  /** The SDK's status table client (createStatusTableClient), accepting http on loopback like the sink's reader. */
  private async statusTableClient(): Promise<TableClient> {
    const sdkClient = await this.resourceManager.createStatusTable();
    return new TableClient(sdkClient.url, sdkClient.tableName, {
      allowInsecureConnection: allowsInsecureConnection(sdkClient.url),
    });
  }

  private statusEntity(props: IngestionProperties, id: string, blobPath: string): IngestionStatus {
    const time = Date.now().toString();
    return {
      Status: OperationStatus.Pending,
      Timestamp: time,
      IngestionSourceId: id,
      IngestionSourcePath: blobPath.split(/[?;]/)[0],
      Database: props.database ?? '',
      Table: props.table ?? '',
      UpdatedOn: time,
      Details: '',
    };
  }
}

/** The queue message's body as azure-kusto-ingest 7.0.1 builds it (its IngestionBlobInfo, not exported). */
function ingestionBlobInfo(
  descriptor: BlobDescriptor,
  props: IngestionProperties,
  id: string,
  authorizationContext: string,
): Record<string, unknown> {
  const additional: Record<string, unknown> = { ...props.additionalProperties, authorizationContext };
  const tags = [
    ...(props.additionalTags ?? []),
    ...(props.dropByTags ?? []).map((t) => `drop-by:${t}`),
    ...(props.ingestByTags ?? []).map((t) => `ingest-by:${t}`),
  ];
  if (tags.length > 0) {
    additional.tags = JSON.stringify(tags);
  }
  if (props.ingestIfNotExists) {
    additional.ingestIfNotExists = props.ingestIfNotExists;
  }
  if (props.ingestionMappingColumns && props.ingestionMappingColumns.length > 0) {
    additional.ingestionMapping = JSON.stringify(props.ingestionMappingColumns.map((m) => m.toApiMapping()));
  }
  if (props.ingestionMappingReference) {
    additional.ingestionMappingReference = props.ingestionMappingReference;
  }
  if (props.ingestionMappingKind) {
    additional.ingestionMappingType = props.ingestionMappingKind;
  }
  if (props.validationPolicy) {
    additional.ValidationPolicy = props.validationPolicy;
  }
  if (props.format) {
    additional.format = props.format;
  }
  if (props.ignoreFirstRecord) {
    additional.ignoreFirstRecord = props.ignoreFirstRecord;
  }
  return {
    BlobPath: descriptor.path,
    RawDataSize: descriptor.size,
    DatabaseName: props.database ?? null,
    TableName: props.table ?? null,
    RetainBlobOnSuccess: true,
    FlushImmediately: props.flushImmediately ?? false,
    IgnoreSizeLimit: false,
    ReportLevel: props.reportLevel ?? null,
    ReportMethod: props.reportMethod ?? null,
    SourceMessageCreationTime: new Date(),
    Id: id,
    AdditionalProperties: additional,
  };
}
