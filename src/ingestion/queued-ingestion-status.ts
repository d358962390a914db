/**
 * Waits for a queued ingestion to be committed, through the status table azure-kusto-ingest asks ADX to report to
 * (ReportLevel.FailuresAndSuccesses + ReportMethod.Table): the SDK answers `ingestFromStream` with a
 * TableReportIngestionResult naming the status entity, which the data-management service moves from `Pending` to
 * `Succeeded`, `PartiallySucceeded`, `Skipped` or `Failed`.
 *
 * The entity is read with a TableClient of our own rather than the SDK's: the SDK builds its client without
 * `allowInsecureConnection`, so against an http endpoint (the embedded engine on loopback) it can neither write
 * the Pending entity nor read the final one. A missing entity therefore counts as pending.
 */
import { TableClient } from '@azure/data-tables';
import type { Clock } from './clock.js';
import { DrainAbortedError } from './drain-aborted-error.js';

/** A queued ingestion's final failure as the data-management service reported it. */
export class QueuedIngestionFailedError extends Error {
  override readonly name = 'QueuedIngestionFailedError';

  constructor(
    message: string,
    /** True when the service says retrying cannot help (FailureStatus `Permanent`). */
    readonly permanent: boolean,
    readonly errorCode: string,
  ) {
    super(message);
  }
}

/** The status did not become final in time: the rows may still be committed later (transient for the pipeline). */
export class QueuedIngestionTimeoutError extends Error {
  override readonly name = 'QueuedIngestionTimeoutError';
}

/** The part of the SDK's TableReportIngestionResult this module reads (the class itself is not exported). */
export interface TableReport {
  ingestionStatusInTableDescription: { partitionKey: string; rowKey: string };
  tableClient: { url: string; tableName: string };
}

export function isTableReport(value: unknown): value is TableReport {
  const report = value as Partial<TableReport> | undefined;
  return (
    typeof report?.ingestionStatusInTableDescription?.rowKey === 'string' &&
    typeof report.tableClient?.url === 'string' &&
    typeof report.tableClient.tableName === 'string'
  );
}

export interface StatusWaitOptions {
  timeoutMs: number;
  pollMs: number;
  clock: Clock;
  /** Aborted when a stop gives up waiting for in-flight batches: the wait ends with DrainAbortedError. */
  drain?: AbortSignal;
}

interface StatusEntity {
  Status?: string;
  Details?: string;
  ErrorCode?: string;
  FailureStatus?: string;
}

/**
 * Resolves once the ingestion is final: `committed` (Succeeded, PartiallySucceeded) or `skipped` (nothing stored,
 * because an extent already carries one of its `ingestIfNotExists` tags).
 */
export async function waitForQueuedIngestion(
  report: TableReport,
  what: string,
  options: StatusWaitOptions,
): Promise<'committed' | 'skipped'> {
  const { url, tableName } = report.tableClient;
  const table = new TableClient(url, tableName, { allowInsecureConnection: allowsInsecureConnection(url) });
  const { partitionKey, rowKey } = report.ingestionStatusInTableDescription;
  const deadline = options.clock.now() + options.timeoutMs;
  let lastProblem = 'the status stayed Pending';
  for (;;) {
    if (options.drain?.aborted) {
      throw new DrainAbortedError(
        `stopped waiting for queued ingestion ${rowKey} into ${what} to commit: the shutdown's drain timeout passed (${lastProblem}); its messages are abandoned for redelivery`,
      );
    }
    try {
      const entity = await table.getEntity<StatusEntity>(partitionKey, rowKey);
      switch (entity.Status ?? 'unset') {
        case 'Succeeded':
        case 'PartiallySucceeded':
          return 'committed';
        case 'Skipped':
          return 'skipped';
        case 'Failed':
          throw new QueuedIngestionFailedError(
            `queued ingestion ${rowKey} into ${what} failed (${entity.ErrorCode ?? 'no error code'}): ${entity.Details ?? ''}`,
            entity.FailureStatus === 'Permanent',
            entity.ErrorCode ?? '',
          );
        default:
          lastProblem = `the status stayed ${entity.Status ?? 'unset'}`;
      }
    } catch (error) {
      if (error instanceof QueuedIngestionFailedError) {
        throw error;
      }
      // Not written yet (see the module comment), or the status table unreachable for a moment: ask again.
      const status = (error as { statusCode?: number }).statusCode;
      lastProblem =
        status === 404 ? 'no status was reported yet' : `reading the status failed: ${String(error)}`;
    }
    if (options.clock.now() >= deadline) {
      throw new QueuedIngestionTimeoutError(
        `queued ingestion ${rowKey} into ${what} was not committed within ${options.timeoutMs} ms (${lastProblem}); raise KUSTO_INGEST_STATUS_TIMEOUT_MS if the table's ingestion batching policy seals later`,
      );
    }
    await options.clock.sleep(options.pollMs);
  }
}

/** http is accepted only on loopback (the embedded engine); anything remote must be https. */
export function allowsInsecureConnection(url: string): boolean {
  const parsed = new URL(url);
  return (
    parsed.protocol === 'http:' &&
    (parsed.hostname === 'localhost' || parsed.hostname === '[::1]' || parsed.hostname.startsWith('127.'))
  );
}
