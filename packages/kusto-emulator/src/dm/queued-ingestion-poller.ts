/**
 * The data-management service's worker: takes ingestion messages from SecuredReadyForAggregationQueue, reads the
 * blob each names, ingests it through the engine's one ingestion path (ingest/data-ingestion.ts, the same as
 * streaming ingestion), reports the outcome as the client asked, and only then deletes the message.
 *
 * Exactly once: a message is deleted after its rows are committed and reported, so an engine that stops in
 * between sees it again. Each ingestion therefore tags its extent `ingest-by:<ingestion id>` and ingests only if no
 * extent carries that tag yet (`ingestIfNotExists`, ADX's own mechanism): the second delivery commits nothing
 * and reports `Skipped`.
 *
 * Unlike ADX, there is no batching window: each blob is ingested as soon as it is taken, one at a time, in queue
 * order. A transient failure (the engine's own I/O) leaves the message to come back a few times before it is
 * reported as a transient failure; everything else is permanent and reported at once.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { gunzipSync } from 'node:zlib';
import { BlobClient } from '@azure/storage-blob';
import type { DequeuedMessageItem } from '@azure/storage-queue';
import { KustoEngineError, KustoErrorCode } from '../errors/kusto-engine-error.js';
import { asKustoEngineError } from '../errors/kusto-error.translator.js';
import { ingestData } from '../ingest/data-ingestion.js';
import type { IngestionService } from '../ingest/ingestion-service.js';
import type { Logger } from '../logging/logger.js';
import type { DatabaseRegistry } from '../storage/database-registry.js';
import {
  assertSupportedOptions,
  decodeIngestionMessage,
  readIngestionMessage,
  unreadableFacts,
  type IngestionMessage,
  type RawBlobInfo,
} from './ingestion-message.js';
import type { IngestionOutcome, IngestionStatusReporter } from './ingestion-status-reporter.js';
import type { IngestionStorage } from './ingestion-storage.js';

/** How long a taken message stays invisible to other takers: far more than one ingestion needs. */
const VISIBILITY_TIMEOUT_S = 60;
/** After a transient failure, when the message comes back. */
const RETRY_VISIBILITY_S = 2;
/** Deliveries before a transiently failing ingestion is reported as failed. */
const MAX_DELIVERIES = 5;
const BATCH = 16;

export interface QueuedIngestionPollerDeps {
  storage: IngestionStorage;
  reporter: IngestionStatusReporter;
  registry: DatabaseRegistry;
  ingestion: IngestionService;
  logger: Logger;
  /** Called with every committed ingestion (the engine's ingested-rows metric). */
  onIngested?: (database: string, table: string, rows: number) => void;
  /** Idle wait between two looks at an empty queue. */
  pollIntervalMs: number;
}

export class QueuedIngestionPoller {
  private stopped = false;
  private loop: Promise<void> | undefined;
  private readonly wake = new AbortController();

  constructor(private readonly deps: QueuedIngestionPollerDeps) {}

  start(): void {
    this.loop ??= this.run();
  }

  /** Ends the loop after the message in hand: the databases may close once this resolves. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let messages: DequeuedMessageItem[] = [];
      try {
        const response = await this.deps.storage.readyQueue.receiveMessages({
          numberOfMessages: BATCH,
          visibilityTimeout: VISIBILITY_TIMEOUT_S,
        });
        messages = response.receivedMessageItems;
      } catch (error) {
        if (this.stopped) {
          return;
        }
        this.deps.logger.warn({ err: error }, 'reading the ingestion queue failed; retrying');
      }
      for (const message of messages) {
        if (this.stopped) {
          // Not deleted: it becomes visible again and the next start takes it.
          return;
        }
        await this.handle(message);
      }
      if (messages.length === 0) {
        await sleep(this.deps.pollIntervalMs, undefined, { signal: this.wake.signal }).catch(() => undefined);
      }
    }
  }

  private async handle(item: DequeuedMessageItem): Promise<void> {
    let raw: RawBlobInfo | undefined;
    let message: IngestionMessage;
    try {
      raw = decodeIngestionMessage(item.messageText);
      message = readIngestionMessage(raw);
    } catch (error) {
      // Nothing to report to (no status entry or id to name): log it and drop it, as ADX drops a poison message.
      this.deps.logger.error(
        { ...unreadableFacts(raw), queueMessageId: item.messageId, err: (error as Error).message },
        'dropped an unreadable ingestion message',
      );
      await this.delete(item);
      return;
    }
    const outcome = await this.ingest(raw, message);
    if (outcome.failureStatus === 'Transient' && item.dequeueCount < MAX_DELIVERIES) {
      this.deps.logger.warn(
        { id: message.id, table: message.table, attempt: item.dequeueCount, err: outcome.details },
        'queued ingestion failed transiently; it will be retried',
      );
      await this.deps.storage.readyQueue
        .updateMessage(item.messageId, item.popReceipt, undefined, RETRY_VISIBILITY_S)
        .catch(() => undefined);
      return;
    }
    try {
      await this.deps.reporter.report(message, outcome);
    } catch (error) {
      // Not deleted: the message comes back, and the ingest-by tag keeps its rows from being stored twice.
      this.deps.logger.warn(
        { id: message.id, err: error },
        'reporting an ingestion status failed; will retry',
      );
      return;
    }
    this.deps.logger.debug(
      { id: message.id, table: message.table, status: outcome.status },
      'queued ingestion',
    );
    await this.delete(item);
  }

  private async ingest(raw: RawBlobInfo, message: IngestionMessage): Promise<IngestionOutcome> {
    try {
      assertSupportedOptions(raw, message.id);
      const data = await this.readBlob(message);
      const database = await this.deps.registry.get(message.database);
      const result = await ingestData(this.deps.ingestion, database, {
        table: message.table,
        format: message.format,
        mappingName: message.mappingReference,
        data,
        tags: [...message.tags, `ingest-by:${message.id}`],
        ingestIfNotExists: [...message.ingestIfNotExists, message.id],
      });
      if (result.skipped) {
        return {
          status: 'Skipped',
          details: `Nothing ingested: an extent tagged ingest-by with one of ${JSON.stringify([...message.ingestIfNotExists, message.id])} already exists (a repeated delivery of ingestion ${message.id}, or ingestIfNotExists).`,
        };
      }
      this.deps.onIngested?.(message.database, message.table, result.rowCount);
      if (result.policyFailures.length > 0) {
        return {
          status: 'PartiallySucceeded',
          details: `${result.rowCount} rows ingested; update policies failed: ${result.policyFailures.map((f) => f.reason).join('; ')}`,
          originatesFromUpdatePolicy: true,
        };
      }
      return { status: 'Succeeded', details: `${result.rowCount} rows ingested.` };
    } catch (error) {
      const engineError = asKustoEngineError(error, message.id);
      return {
        status: 'Failed',
        details: engineError.message,
        errorCode: failureCode(engineError.code),
        failureStatus: isTransient(engineError.code) ? 'Transient' : 'Permanent',
      };
    }
  }

  private async readBlob(message: IngestionMessage): Promise<string> {
    let url: URL;
    try {
      url = new URL(message.blobPath);
    } catch {
      throw KustoEngineError.badRequest(`Ingestion ${message.id}: BlobPath is not a URL.`);
    }
    if (!this.deps.storage.isOwnBlob(url)) {
      throw KustoEngineError.notSupported(
        `Ingestion ${message.id}: the embedded engine ingests only blobs of its own storage (${this.deps.storage.azurite.blobEndpoint}); got ${url.origin}${url.pathname}.`,
      );
    }
    // Read with the engine's own key, as ADX reads with its identity; the client's SAS is not needed.
    const blob = new BlobClient(`${url.origin}${url.pathname}`, this.deps.storage.credential);
    let body: Buffer;
    try {
      body = await blob.downloadToBuffer();
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      if (status === 404) {
        throw KustoEngineError.badData(`Ingestion ${message.id}: the blob ${url.pathname} does not exist.`);
      }
      throw error;
    }
    if (url.pathname.endsWith('.gz')) {
      try {
        body = gunzipSync(body);
      } catch (error) {
        throw KustoEngineError.badData(
          `Ingestion ${message.id}: the blob ${url.pathname} is named .gz but is not gzip data: ${(error as Error).message}`,
        );
      }
    } else if (url.pathname.endsWith('.zip')) {
      throw KustoEngineError.notSupported(
        `Ingestion ${message.id}: zip-compressed blobs are not supported by the embedded engine; send gzip or plain data.`,
      );
    }
    return body.toString('utf8');
  }

  private async delete(item: DequeuedMessageItem): Promise<void> {
    await this.deps.storage.readyQueue
      .deleteMessage(item.messageId, item.popReceipt)
      .catch((error: unknown) => {
        this.deps.logger.warn(
          { queueMessageId: item.messageId, err: error },
          'deleting an ingestion message failed',
        );
      });
  }
}

function isTransient(code: KustoErrorCode): boolean {
  return code === KustoErrorCode.Internal || code === KustoErrorCode.Unavailable;
}

/** The failure codes ADX reports for the same causes (its status messages' ErrorCode). */
function failureCode(code: KustoErrorCode): string {
  switch (code) {
    case KustoErrorCode.EntityNotFound:
      return 'BadRequest_EntityNotFound';
    case KustoErrorCode.BadData:
      return 'BadRequest_InvalidBlob';
    case KustoErrorCode.NotSupported:
      return 'BadRequest_FormatNotSupported';
    case KustoErrorCode.PayloadTooLarge:
      return 'BadRequest_FileTooLarge';
    case KustoErrorCode.Syntax:
    case KustoErrorCode.Semantic:
    case KustoErrorCode.BadRequest:
    case KustoErrorCode.EntityAlreadyExists:
    case KustoErrorCode.ValueOutOfRange:
      return 'BadRequest_InvalidArgument';
    case KustoErrorCode.Timeout:
    case KustoErrorCode.Cancelled:
    case KustoErrorCode.LimitsExceeded:
    case KustoErrorCode.Throttled:
    case KustoErrorCode.Unavailable:
    case KustoErrorCode.Internal:
      return 'General_InternalServerError';
    default: {
      const unreachable: never = code;
      return String(unreachable);
    }
  }
}
