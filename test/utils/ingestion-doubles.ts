/**
 * In-memory doubles of the ingestion pipeline's I/O, for the unit specs of src/ingestion (the protocol adapters
 * themselves are tested against the embedded stack in test/integration/ingestion).
 */
import { silentLogger, type Logger } from '../../src/common/logging/logger.js';
import { systemClock } from '../../src/ingestion/clock.js';
import { ingestByTag } from '../../src/ingestion/ingest-by-tag.js';
import { IngestRetry } from '../../src/ingestion/ingest-retry.js';
import { ingestionMetrics } from '../../src/ingestion/ingestion-metrics.js';
import type { IngestReceipt, IngestSink, IngestTarget } from '../../src/ingestion/kusto-ingest-sink.js';
import type { MessageIdIndex } from '../../src/ingestion/message-id-index.js';
import type { PipelineEntry } from '../../src/ingestion/pipeline-entry.js';
import { ReachabilityTracker } from '../../src/ingestion/reachability-tracker.js';
import type { MessageSource, SourceMessage } from '../../src/ingestion/subscription-receiver.js';

/** A subscription: delivers messages to the pipeline's handler and records how each one is settled. */
export class FakeSource implements MessageSource {
  handler?: (message: SourceMessage) => Promise<void>;
  onError?: (error: Error, where: string) => void;
  onLink?: (attached: boolean) => void;
  readonly settled = new Map<string, string>();
  readonly deadLettered: Array<{ id: string; reason: string; description: string }> = [];
  private seq = 0;

  subscribe(
    handler: (message: SourceMessage) => Promise<void>,
    onError: (error: Error, where: string) => void,
    onLink: (attached: boolean) => void,
  ): void {
    this.handler = handler;
    this.onError = onError;
    this.onLink = onLink;
  }
  deliver(
    body: unknown,
    props: Record<string, unknown> = { Table: 'T' },
    messageId = `m${++this.seq}`,
    deliveryCount = 0,
  ): Promise<void> {
    return this.handler!({
      messageId,
      body,
      applicationProperties: props,
      deliveryCount,
      handle: messageId,
      enqueuedTimeUtc: new Date(),
    });
  }
  stopReceiving(): Promise<void> {
    return Promise.resolve();
  }
  complete(m: SourceMessage): Promise<void> {
    this.settled.set(`${m.messageId}#${this.settled.size}`, 'complete');
    return Promise.resolve();
  }
  abandon(m: SourceMessage): Promise<void> {
    this.settled.set(`${m.messageId}#${this.settled.size}`, 'abandon');
    return Promise.resolve();
  }
  deadLetter(m: SourceMessage, reason: string, description: string): Promise<void> {
    this.deadLettered.push({ id: m.messageId, reason, description });
    return Promise.resolve();
  }
  closed = false;
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
  count(outcome: string): number {
    return [...this.settled.values()].filter((v) => v === outcome).length;
  }
}

/**
 * An engine that ingests JSON lines (rejecting rows with `poison: true` as a mapping failure) and answers id
 * lookups from what it holds.
 */
export class FakeEngine implements IngestSink, MessageIdIndex {
  readonly rows: Array<Record<string, unknown>> = [];
  requests = 0;
  lookups: string[][] = [];
  transientFailuresLeft = 0;
  /** The error of each transient failure (default: connection refused). */
  transientError: () => Error = () =>
    Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
  /** Set: every lookup fails with it. */
  lookupError?: Error;
  /** Set: ingest requests wait for it (an engine that stopped answering). */
  hang?: Promise<void>;
  /** Set: a sink that may queue, bounding each ingestion's ingest-by tags. */
  ingestByTagBudgetBytes?: number;
  /** The ingest-by tags of every request. */
  readonly tagSets: Array<readonly string[]> = [];

  async ingest(target: IngestTarget, payload: Buffer): Promise<IngestReceipt> {
    this.requests++;
    this.tagSets.push(target.ingestByTags ?? []);
    await this.hang;
    if (this.transientFailuresLeft > 0) {
      this.transientFailuresLeft--;
      throw this.transientError();
    }
    const rows = payload
      .toString()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    if (rows.some((r) => r.poison === true)) {
      const data = {
        error: {
          message: 'bad',
          '@message': "Mapping 'm' failed: column 'n' is not a long",
          '@permanent': true,
        },
      };
      throw Object.assign(new Error('Request failed with status code 400'), {
        response: { status: 400, data },
      });
    }
    this.rows.push(...rows);
    return 'committed';
  }
  /** Table → columns, as the start-up check of the id column reads them. */
  readonly tables = new Map<string, string[]>([['T', ['MessageId']]]);
  columnsOf(_db: string, tables: readonly string[]): Promise<Map<string, string[]>> {
    return Promise.resolve(new Map([...this.tables].filter(([name]) => tables.includes(name))));
  }
  existing(_db: string, _table: string, _column: string, ids: readonly string[]): Promise<Set<string>> {
    this.lookups.push([...ids]);
    if (this.lookupError) {
      return Promise.reject(this.lookupError);
    }
    const present = new Set(this.rows.map((r) => r.messageId as string));
    return Promise.resolve(new Set(ids.filter((id) => present.has(id))));
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Records every log line as `level: message`. */
export class RecordingLogger implements Logger {
  readonly lines: string[] = [];
  debug(obj: object | string, msg?: string): void {
    this.record('debug', obj, msg);
  }
  info(obj: object | string, msg?: string): void {
    this.record('info', obj, msg);
  }
  warn(obj: object | string, msg?: string): void {
    this.record('warn', obj, msg);
  }
  error(obj: object | string, msg?: string): void {
    this.record('error', obj, msg);
  }
  private record(level: string, obj: object | string, msg?: string): void {
    this.lines.push(`${level}: ${msg ?? (typeof obj === 'string' ? obj : JSON.stringify(obj))}`);
  }
}

/** A Kusto REST error as azure-kusto-data throws it (an axios error carrying the engine's OneApiError body). */
export function kustoHttpError(status: number, message: string, permanent: boolean): Error {
  return Object.assign(new Error(`Request failed with status code ${status}`), {
    response: {
      status,
      data: { error: { code: 'X', message, '@message': message, '@permanent': permanent } },
    },
  });
}

/** Polls every 2 ms until the condition holds. */
export async function until(condition: () => boolean): Promise<void> {
  while (!condition()) {
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** A routed, encoded JSON message for table T: one line holding its messageId (and `body`). */
export function pipelineEntry(
  id: string,
  options: { body?: Record<string, unknown>; deliveryCount?: number; ingestByTag?: string } = {},
): PipelineEntry {
  const body = options.body ?? {};
  return {
    message: { messageId: id, body, deliveryCount: options.deliveryCount ?? 0, handle: id },
    target: { table: 'T', format: 'json' },
    payload: Buffer.from(`${JSON.stringify({ messageId: id, ...body })}\n`),
    rows: 1,
    batchKey: 'T\u0001json\u0001',
    idKey: `T\u0001${id}`,
    ingestByTag: options.ingestByTag ?? ingestByTag('T', id),
  };
}

/** An IngestRetry on `sink` with a back-off of a few milliseconds. */
export function ingestRetry(
  sink: IngestSink,
  options: { logger?: Logger; drain?: AbortSignal } = {},
): IngestRetry {
  return new IngestRetry({
    database: 'db',
    sink,
    clock: systemClock,
    logger: options.logger ?? silentLogger,
    metrics: ingestionMetrics(),
    random: () => 0,
    backoff: { initialMs: 1, maxMs: 4 },
    health: new ReachabilityTracker(systemClock, 60_000),
    drain: options.drain ?? new AbortController().signal,
    onResume: () => undefined,
  });
}
