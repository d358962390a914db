/**
 * Reports the outcome of a queued ingestion the way ADX's data-management service does, as the client asked in
 * the message: ReportLevel (failures only, failures and successes, nothing) × ReportMethod (queue, table, both).
 * - Table: the entity the SDK created as `Pending` is set to the final status (Succeeded, PartiallySucceeded,
 *   Skipped or Failed) with the details. Upserted, not updated: over http (this emulator) the SDK cannot create
 *   the Pending entity — its status TableClient refuses non-https URLs — so the final one may be the first;
 *   clients then read it with a TableClient of their own (allowInsecureConnection), as kqlgate's sink does.
 * - Queue: a base64 JSON status message goes to SuccessfulIngestionsQueue or FailedIngestionsQueue, with the
 *   fields azure-kusto-ingest's KustoIngestStatusQueues reads.
 */
import { randomUUID } from 'node:crypto';
import type { IngestionStorage } from './ingestion-storage.js';
import { ReportLevel, ReportMethod, type IngestionMessage } from './ingestion-message.js';

export type FinalStatus = 'Succeeded' | 'PartiallySucceeded' | 'Skipped' | 'Failed';

export interface IngestionOutcome {
  status: FinalStatus;
  details: string;
  /** Failed only: ADX's failure code name, e.g. `BadRequest_InvalidMapping`. */
  errorCode?: string;
  /** Failed only: whether retrying the same ingestion can succeed. */
  failureStatus?: 'Permanent' | 'Transient';
  originatesFromUpdatePolicy?: boolean;
}

export class IngestionStatusReporter {
  constructor(private readonly storage: IngestionStorage) {}

  async report(message: IngestionMessage, outcome: IngestionOutcome, now = new Date()): Promise<void> {
    const failed = outcome.status === 'Failed';
    if (message.reportLevel === ReportLevel.DoNotReport) {
      return;
    }
    if (!failed && message.reportLevel === ReportLevel.FailuresOnly) {
      return;
    }
    const toTable = message.reportMethod !== ReportMethod.Queue && message.statusInTable !== undefined;
    const toQueue = message.reportMethod !== ReportMethod.Table;
    if (toTable && message.statusInTable) {
      await this.storage.statusTable.upsertEntity(
        {
          partitionKey: message.statusInTable.partitionKey,
          rowKey: message.statusInTable.rowKey,
          IngestionSourceId: message.id,
          IngestionSourcePath: sourcePath(message),
          Database: message.database,
          Table: message.table,
          Status: outcome.status,
          Details: outcome.details,
          ErrorCode: outcome.errorCode ?? '',
          FailureStatus: outcome.failureStatus ?? 'NotSpecified',
          OriginatesFromUpdatePolicy: outcome.originatesFromUpdatePolicy ?? false,
          UpdatedOn: now.toISOString(),
        },
        'Merge',
      );
    }
    if (toQueue) {
      const common = {
        OperationId: randomUUID(),
        Database: message.database,
        Table: message.table,
        IngestionSourceId: message.id,
        IngestionSourcePath: sourcePath(message),
        RootActivityId: randomUUID(),
      };
      const body = failed
        ? {
            ...common,
            FailedOn: now.toISOString(),
            Details: outcome.details,
            ErrorCode: outcome.errorCode ?? 'Unknown',
            FailureStatus: outcome.failureStatus ?? 'Permanent',
            OriginatesFromUpdatePolicy: outcome.originatesFromUpdatePolicy ?? false,
            ShouldRetry: outcome.failureStatus === 'Transient',
          }
        : { ...common, SucceededOn: now.toISOString() };
      const queue = failed ? this.storage.failedQueue : this.storage.successQueue;
      await queue.sendMessage(Buffer.from(JSON.stringify(body)).toString('base64'));
    }
  }
}

/** The blob's URL without its SAS, as the SDK's own status entries name it. */
function sourcePath(message: IngestionMessage): string {
  return message.blobPath.split(/[?;]/)[0];
}
