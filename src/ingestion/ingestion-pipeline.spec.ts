import * as crypto from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import type { Logger } from '../common/logging/logger.js';
import { ingestByTag } from './ingest-by-tag.js';
import { DeadLetterReason } from './dead-letter-reason.js';
import {
  IngestionPipeline,
  type BatchCommittedEvent,
  type IngestionPipelineOptions,
} from './ingestion-pipeline.js';
import {
  ingestByTagBytes,
  QUEUED_INGESTION_TAG_BUDGET_BYTES,
  type IngestReceipt,
  type IngestSink,
  type IngestTarget,
} from './kusto-ingest-sink.js';
import type { MessageIdIndex } from './message-id-index.js';
import type { MessageSource, SourceMessage } from './subscription-receiver.js';
import { TableRouter, type RouteDecision } from './table-router.js';

// Counts the ingest-by tags hashed (the only sha256 on the pipeline's path), calling through to the real one.
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, createHash: vi.fn(actual.createHash) };
});

/** In-memory doubles: the pipeline's protocol adapters are tested against the embedded stack separately. */
class FakeSource implements MessageSource {
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

class FakeEngine implements IngestSink, MessageIdIndex {
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

const options: IngestionPipelineOptions = {
  database: 'db',
  batch: { maxEvents: 4, maxBytes: 64 * 1024, maxAgeMs: 5 },
  maxInFlight: 100,
  maxParallelIngests: 2,
  dedup: 'table',
  dedupColumn: 'MessageId',
  backoff: { initialMs: 1, maxMs: 4 },
  drainTimeoutMs: 5_000,
  unreachableThresholdMs: 60_000,
};

/** Records every log line as `level: message`. */
class RecordingLogger implements Logger {
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

function setup(
  overrides: Partial<IngestionPipelineOptions> = {},
  router: Pick<TableRouter, 'route' | 'rules'> = new TableRouter({ property: 'eventType', routes: {} }),
  engine = new FakeEngine(),
) {
  const source = new FakeSource();
  const logger = new RecordingLogger();
  const pipeline = new IngestionPipeline(
    { source, sink: engine, index: engine, router: router as TableRouter, logger },
    { ...options, ...overrides },
  );
  return { source, engine, pipeline, logger };
}

/** A Kusto REST error as azure-kusto-data throws it (an axios error carrying the engine's OneApiError body). */
function kustoHttpError(status: number, message: string, permanent: boolean): Error {
  return Object.assign(new Error(`Request failed with status code ${status}`), {
    response: {
      status,
      data: { error: { code: 'X', message, '@message': message, '@permanent': permanent } },
    },
  });
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) {
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe(IngestionPipeline.name, () => {
  it('should ingest in batches, complete after ingest and announce each committed batch', async () => {
    const { source, engine, pipeline } = setup();
    const events: BatchCommittedEvent[] = [];
    pipeline.onBatchCommitted((e) => events.push(e));
    await pipeline.start();
    await Promise.all(Array.from({ length: 10 }, (_, i) => source.deliver({ i })));
    await until(() => source.count('complete') === 10);
    expect(engine.rows.map((r) => r.i).sort((a, b) => Number(a) - Number(b))).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
    ]);
    expect(events.reduce((sum, e) => sum + e.rows, 0)).toBe(10);
    expect(events[0]).toMatchObject({ database: 'db', table: 'T' });
    await pipeline.stop();
  });

  it('should dead-letter bad JSON and unroutable messages while the rest flows', async () => {
    const { source, engine, pipeline } = setup();
    await pipeline.start();
    await source.deliver(Buffer.from('{oops'));
    await source.deliver({ a: 1 }, {});
    await source.deliver({ a: 2 });
    await until(() => source.count('complete') === 1);
    expect(source.deadLettered.map((d) => d.reason)).toEqual([
      DeadLetterReason.InvalidJson,
      DeadLetterReason.Unroutable,
    ]);
    expect(engine.rows).toHaveLength(1);
    await pipeline.stop();
  });

  it('should bisect a batch the engine rejects and dead-letter only the poison message', async () => {
    const { source, engine, pipeline } = setup({
      batch: { maxEvents: 8, maxBytes: 64 * 1024, maxAgeMs: 1_000 },
    });
    await pipeline.start();
    for (let i = 0; i < 8; i++) {
      await source.deliver(i === 5 ? { i, poison: true } : { i }, { Table: 'T' }, `id${i}`);
    }
    await until(() => source.count('complete') === 7 && source.deadLettered.length === 1);
    expect(source.deadLettered).toEqual([
      {
        id: 'id5',
        reason: DeadLetterReason.MappingFailure,
        description:
          "engine rejected the rows for table T (HTTP 400): Mapping 'm' failed: column 'n' is not a long",
      },
    ]);
    expect(engine.rows).toHaveLength(7);
    await pipeline.stop();
  });

  it('should pause on transient failures, retry without dead-lettering and resume', async () => {
    const { source, engine, pipeline } = setup();
    engine.transientFailuresLeft = 5;
    await pipeline.start();
    await Promise.all(Array.from({ length: 8 }, (_, i) => source.deliver({ i })));
    await until(() => source.count('complete') === 8);
    expect(source.deadLettered).toEqual([]);
    expect(engine.rows).toHaveLength(8);
    expect(pipeline.stats()).toMatchObject({ pauses: 1, paused: false, ingested: 8 });
    expect((await pipeline.sinkStatus()).up).toBe(true);
    await pipeline.stop();
  });

  it('should complete a redelivered message that is already in the table without ingesting it again', async () => {
    const { source, engine, pipeline } = setup();
    await pipeline.start();
    await source.deliver({ a: 1 }, { Table: 'T' }, 'same');
    await until(() => source.count('complete') === 1);
    await source.deliver({ a: 1 }, { Table: 'T' }, 'same');
    await until(() => source.count('complete') === 2);
    expect(engine.rows).toHaveLength(1);
    expect(pipeline.stats()).toMatchObject({ ingested: 1, duplicates: 1 });
    await pipeline.stop();
  });

  it('should look up only redelivered messages in redelivered mode', async () => {
    const { source, engine, pipeline } = setup({ dedup: 'redelivered' });
    await pipeline.start();
    await source.deliver({ a: 1 }, { Table: 'T' }, 'first');
    await until(() => source.count('complete') === 1);
    expect(engine.lookups).toEqual([]);
    await source.deliver({ a: 1 }, { Table: 'T' }, 'first', 1);
    await until(() => source.count('complete') === 2);
    expect(engine.lookups).toEqual([['first']]);
    expect(engine.rows).toHaveLength(1);
    await pipeline.stop();
  });

  it('should hold a twin that arrives while its MessageId is in flight and then complete it as a duplicate', async () => {
    const { source, engine, pipeline } = setup({
      batch: { maxEvents: 100, maxBytes: 64 * 1024, maxAgeMs: 20 },
    });
    await pipeline.start();
    await source.deliver({ a: 1 }, { Table: 'T' }, 'twin');
    await source.deliver({ a: 1 }, { Table: 'T' }, 'twin');
    await until(() => source.count('complete') === 2);
    expect(engine.rows).toHaveLength(1);
    await pipeline.stop();
  });

  it("should split a batch before its ingest-by tags overflow a queued ingestion's queue message", async () => {
    const queuing = Object.assign(new FakeEngine(), {
      ingestByTagBudgetBytes: QUEUED_INGESTION_TAG_BUDGET_BYTES,
    });
    const { source, engine, pipeline } = setup(
      {
        batch: { maxEvents: 2_000, maxBytes: 4_000_000, maxAgeMs: 60_000 },
        maxInFlight: 2_000,
        maxParallelIngests: 1,
      },
      undefined,
      queuing,
    );
    await pipeline.start();
    // Long message ids (the tags are hashed from them, so their length must not matter).
    const longId = (i: number): string => `order-${'x'.repeat(200)}-${i}`;
    await Promise.all(
      Array.from({ length: 2_000 }, (_, i) => source.deliver({ i }, { Table: 'T' }, longId(i))),
    );
    await until(() => source.count('complete') === 2_000);
    await pipeline.stop();
    expect(engine.rows).toHaveLength(2_000);
    const tagged = engine.tagSets.filter((tags) => tags.length > 0);
    expect(tagged.reduce((n, tags) => n + tags.length, 0)).toBe(2_000);
    expect(tagged.length).toBeGreaterThanOrEqual(5);
    for (const tags of tagged) {
      expect(tags.reduce((bytes, tag) => bytes + ingestByTagBytes(tag), 0)).toBeLessThanOrEqual(
        QUEUED_INGESTION_TAG_BUDGET_BYTES,
      );
    }
  });

  it("should hash each message's ingest-by tag once, from measuring its batch to the sink writing it, bisection included", async () => {
    const queuing = Object.assign(new FakeEngine(), {
      ingestByTagBudgetBytes: QUEUED_INGESTION_TAG_BUDGET_BYTES,
    });
    const { source, engine, pipeline } = setup(
      { batch: { maxEvents: 8, maxBytes: 64 * 1024, maxAgeMs: 1_000 }, dedup: 'off' },
      undefined,
      queuing,
    );
    await pipeline.start();
    const sha256 = vi.mocked(crypto.createHash);
    sha256.mockClear();
    for (let i = 0; i < 8; i++) {
      await source.deliver(i === 5 ? { i, poison: true } : { i }, { Table: 'T' }, `id${i}`);
    }
    await until(() => source.count('complete') === 7 && source.deadLettered.length === 1);
    await pipeline.stop();
    expect(sha256).toHaveBeenCalledTimes(8);
    // Bisection sent the poison message's tag alone: the one hashed when the message joined its batch.
    expect(engine.tagSets).toContainEqual([ingestByTag('T', 'id5')]);
  });

  it('should not bound batches by tags for a sink that never queues (streaming)', async () => {
    const { source, engine, pipeline } = setup({
      batch: { maxEvents: 2_000, maxBytes: 4_000_000, maxAgeMs: 60_000 },
      maxInFlight: 2_000,
      maxParallelIngests: 1,
      dedup: 'off',
    });
    await pipeline.start();
    engine.hang = new Promise<void>((resolve) => setTimeout(resolve, 50));
    await Promise.all(Array.from({ length: 1_000 }, (_, i) => source.deliver({ i })));
    await until(() => source.count('complete') === 1_000);
    await pipeline.stop();
    // The first message goes out alone (idle pipeline); the rest fill one batch while it is in flight.
    expect(engine.tagSets.map((tags) => tags.length)).toEqual([1, 999]);
  });

  it('should seal a batch past maxAgeMs on the next message even when its timer could not fire (a busy loop)', async () => {
    const { source, engine, pipeline } = setup({
      batch: { maxEvents: 1000, maxBytes: 64 * 1024, maxAgeMs: 5 },
    });
    await pipeline.start();
    const first = source.deliver({ eventType: 'T', n: 1 }, { Table: 'T' }, 'a');
    await until(() => pipeline.stats().received === 1);
    // A flood of messages keeps the event loop in message callbacks: no timer runs from here on.
    const blockedUntil = Date.now() + 20;
    while (Date.now() < blockedUntil) {
      // busy
    }
    const second = source.deliver({ eventType: 'T', n: 2 }, { Table: 'T' }, 'b');
    for (let i = 0; i < 100 && engine.rows.length === 0; i++) {
      await Promise.resolve();
    }
    expect(engine.rows.map((r) => r.n)).toEqual([1]);
    await pipeline.stop();
    await Promise.all([first, second]);
    expect(engine.rows.map((r) => r.n)).toEqual([1, 2]);
  });

  it('should ingest a message at once when the pipeline is idle, not after the age limit', async () => {
    const { source, engine, pipeline } = setup({
      batch: { maxEvents: 1000, maxBytes: 64 * 1024, maxAgeMs: 600_000 },
    });
    await pipeline.start();
    await source.deliver({ n: 1 });
    await until(() => source.count('complete') === 1);
    expect(engine.rows.map((r) => r.n)).toEqual([1]);
    await pipeline.stop();
  });

  it('should flush open batches when stopped', async () => {
    const { source, engine, pipeline } = setup({
      batch: { maxEvents: 100, maxBytes: 64 * 1024, maxAgeMs: 60_000 },
    });
    await pipeline.start();
    await source.deliver({ a: 1 });
    await pipeline.stop();
    expect(engine.rows).toHaveLength(1);
    expect(source.count('complete')).toBe(1);
  });

  it('should make every concurrent stop() wait for the same drain (the app and the process shutdown both stop it)', async () => {
    const { source, engine, pipeline } = setup({
      batch: { maxEvents: 100, maxBytes: 64 * 1024, maxAgeMs: 60_000 },
    });
    await pipeline.start();
    await source.deliver({ a: 1 });
    const first = pipeline.stop();
    const second = pipeline.stop();
    await second;
    // The second caller returns only once the open batch is ingested and settled, like the first.
    expect(engine.rows).toHaveLength(1);
    expect(source.count('complete')).toBe(1);
    await first;
  });

  it('should abandon in-flight batches when the engine stays down past the drain timeout', async () => {
    const { source, engine, pipeline } = setup({ drainTimeoutMs: 50 });
    engine.transientFailuresLeft = Number.MAX_SAFE_INTEGER;
    await pipeline.start();
    await source.deliver({ a: 1 });
    await pipeline.stop();
    expect(source.count('abandon')).toBe(1);
    expect(source.deadLettered).toEqual([]);
  });

  it("should receive and batch before start()'s ingestAfter resolves, but look up and ingest only after", async () => {
    const { source, engine, pipeline } = setup();
    let storageReady: () => void = () => undefined;
    const ready = new Promise<void>((resolve) => {
      storageReady = resolve;
    });
    // start() resolves once the gate opened and the routes are checked; reception begins at once.
    const started = pipeline.start({ ingestAfter: ready });
    await Promise.all(Array.from({ length: 6 }, (_, i) => source.deliver({ i })));
    // Sealed batches (maxEvents 4, maxAgeMs 5) wait at the gate: no id lookup, no ingest, nothing settled.
    await new Promise((r) => setTimeout(r, 30));
    expect(engine.lookups).toEqual([]);
    expect(engine.requests).toBe(0);
    expect(source.settled.size).toBe(0);
    storageReady();
    await started;
    await until(() => source.count('complete') === 6);
    expect(engine.rows).toHaveLength(6);
    await pipeline.stop();
  });

  it('should abandon batches still waiting for ingestAfter when a stop gives up (drain timeout)', async () => {
    const { source, engine, pipeline } = setup({ drainTimeoutMs: 50 });
    const started = pipeline.start({ ingestAfter: new Promise<void>(() => undefined) });
    await source.deliver({ a: 1 });
    await pipeline.stop();
    await started;
    expect(engine.requests).toBe(0);
    expect(engine.lookups).toEqual([]);
    expect(source.count('abandon')).toBe(1);
    expect(source.deadLettered).toEqual([]);
  });

  it('should ingest as usual when ingestAfter rejects (storage preparation failed and was reported elsewhere)', async () => {
    const { source, engine, pipeline } = setup();
    const failed = Promise.reject(new Error('deploy failed'));
    failed.catch(() => undefined);
    await pipeline.start({ ingestAfter: failed });
    await source.deliver({ a: 1 });
    await until(() => source.count('complete') === 1);
    expect(engine.rows).toHaveLength(1);
    await pipeline.stop();
  });

  describe('start', () => {
    const audit = (delivery?: 'at-least-once') =>
      new TableRouter({
        property: 'eventType',
        routes: {
          'audit.logged': { table: 'Audit', ...(delivery ? { delivery } : {}) },
          good: { table: 'T' },
        },
      });

    it('should refuse a route to a table without the dedup column, naming route, table, column and fix', async () => {
      const { source, engine, pipeline } = setup({}, audit());
      engine.tables.set('Audit', ['At', 'Text']);
      await expect(pipeline.start()).rejects.toThrow(
        'ingestion refused to start: route routes."audit.logged" sends messages to table Audit, which has no ' +
          'MessageId column for exactly-once delivery (INGEST_DEDUP=table): add a string column MessageId mapped ' +
          'from $.messageId to Audit, or declare "delivery": "at-least-once" on the route',
      );
      expect(pipeline.stats().inFlight).toBe(0);
      expect(source.closed).toBe(true);
    });

    it('should accept an at-least-once route without the column, say so, and never look its ids up', async () => {
      const { source, engine, pipeline, logger } = setup({}, audit('at-least-once'));
      engine.tables.set('Audit', ['At', 'Text']);
      await pipeline.start();
      expect(logger.lines).toContain(
        'info: route routes."audit.logged" → table Audit: at-least-once delivery (declared in the route); its ' +
          'messages are not looked up by MessageId, so a crash or a resend can duplicate rows',
      );
      await source.deliver({ eventType: 'audit.logged' }, {}, 'a-1', 1);
      await until(() => source.count('complete') === 1);
      expect(engine.lookups).toEqual([]);
      await pipeline.stop();
    });

    it('should not hold start-up on a table that does not exist yet, and warn about it', async () => {
      const { pipeline, logger } = setup({}, audit());
      await pipeline.start();
      expect(logger.lines).toContain(
        'warn: route routes."audit.logged" → table Audit: the table does not exist in database db; its messages ' +
          'are dead-lettered until it is created',
      );
      await pipeline.stop();
    });
  });

  describe('admission', () => {
    it('should free the slot and dead-letter with the cause whatever routing throws', async () => {
      const throwing = {
        route: (): RouteDecision => {
          throw new RangeError('Maximum call stack size exceeded');
        },
        rules: () => [],
      };
      const { source, pipeline } = setup({ maxInFlight: 1 }, throwing);
      await pipeline.start();
      await source.deliver({ a: 1 }, { Table: 'T' }, 'boom-1');
      // With one slot, a second message is admitted only if the first one gave its slot back.
      await source.deliver({ a: 2 }, { Table: 'T' }, 'boom-2');
      expect(pipeline.stats().inFlight).toBe(0);
      expect(source.deadLettered).toEqual(
        ['boom-1', 'boom-2'].map((id) => ({
          id,
          reason: DeadLetterReason.ProcessingFailed,
          description: 'kqlgate could not process the message: RangeError: Maximum call stack size exceeded',
        })),
      );
      await pipeline.stop();
    });

    it('should dead-letter a body nested deeper than the limit before anything encodes it', async () => {
      const { source, engine, pipeline } = setup({ limits: { maxBodyBytes: 1_048_576, maxJsonDepth: 64 } });
      await pipeline.start();
      const deep = Buffer.from(`{"x":${'['.repeat(4_999)}1${']'.repeat(4_999)}}`);
      await source.deliver(deep, { Table: 'T' }, 'deep');
      await source.deliver({ a: 1 }, { Table: 'T' }, 'good');
      await until(() => source.count('complete') === 1);
      expect(source.deadLettered).toEqual([
        {
          id: 'deep',
          reason: DeadLetterReason.NestingTooDeep,
          description:
            'body nests JSON 5000 levels deep, above the limit of 64 levels (INGEST_MAX_JSON_DEPTH)',
        },
      ]);
      expect(engine.rows.map((r) => r.messageId)).toEqual(['good']);
      expect(pipeline.stats()).toMatchObject({ inFlight: 0, received: 2, deadLettered: 1 });
      await pipeline.stop();
    });

    it('should dead-letter a body larger than the limit, naming its size and the limit', async () => {
      const { source, pipeline } = setup({ limits: { maxBodyBytes: 1024, maxJsonDepth: 64 } });
      await pipeline.start();
      await source.deliver(Buffer.from(JSON.stringify({ s: 'x'.repeat(2000) })), { Table: 'T' }, 'big');
      expect(source.deadLettered).toEqual([
        {
          id: 'big',
          reason: DeadLetterReason.MessageTooLarge,
          description: 'body is 2008 bytes, above the 1024-byte limit (INGEST_MAX_BODY_BYTES)',
        },
      ]);
      expect(pipeline.stats().inFlight).toBe(0);
      await pipeline.stop();
    });
  });

  describe('progressStatus', () => {
    it('should report a stall when messages are held and none is settled for the threshold', async () => {
      const { source, engine, pipeline } = setup({ stallThresholdMs: 30 });
      let answer: () => void = () => undefined;
      engine.hang = new Promise<void>((resolve) => (answer = resolve));
      await pipeline.start();
      await source.deliver({ a: 1 });
      await new Promise((r) => setTimeout(r, 60));
      const stalled = await pipeline.progressStatus();
      expect(stalled.up).toBe(false);
      expect(stalled.details).toMatchObject({ inFlight: 1, thresholdMs: 30, paused: false });
      expect(stalled.details.noProgressForMs).toBeGreaterThan(30);
      answer();
      await until(() => source.count('complete') === 1);
      expect(await pipeline.progressStatus()).toEqual({ up: true, details: { inFlight: 0 } });
      await pipeline.stop();
    });

    it('should never report an idle pipeline as stalled, and count a new backlog from its first message', async () => {
      const { source, engine, pipeline } = setup({ stallThresholdMs: 30 });
      await pipeline.start();
      await new Promise((r) => setTimeout(r, 60));
      expect(await pipeline.progressStatus()).toEqual({ up: true, details: { inFlight: 0 } });
      engine.hang = new Promise<void>(() => undefined);
      await source.deliver({ a: 1 });
      expect((await pipeline.progressStatus()).up).toBe(true);
    });
  });

  describe('sourceStatus', () => {
    it("should follow the receive link's state, failing once it has been detached past the threshold", async () => {
      const { source, pipeline } = setup({ unreachableThresholdMs: 20 });
      await pipeline.start();
      source.onLink!(true);
      expect(await pipeline.sourceStatus()).toEqual({ up: true, details: { link: 'attached' } });
      source.onLink!(false);
      source.onError!(new Error('connect ECONNREFUSED 127.0.0.1:5672'), 'receive');
      expect(await pipeline.sourceStatus()).toMatchObject({ up: true, details: { link: 'detached' } });
      await new Promise((r) => setTimeout(r, 40));
      expect(await pipeline.sourceStatus()).toMatchObject({
        up: false,
        details: { link: 'detached', lastError: 'connect ECONNREFUSED 127.0.0.1:5672', thresholdMs: 20 },
      });
      source.onLink!(true);
      expect(await pipeline.sourceStatus()).toEqual({ up: true, details: { link: 'attached' } });
      await pipeline.stop();
    });
  });

  describe('messages', () => {
    it("should give the engine's own reason in kusto-ingest readiness, not the HTTP client's status line", async () => {
      const { source, engine, pipeline } = setup({ unreachableThresholdMs: 0, drainTimeoutMs: 50 });
      const reason =
        'Internal engine error: Could not write to the storage of database db: No space left on device';
      engine.transientError = () => kustoHttpError(500, reason, false);
      engine.transientFailuresLeft = Number.MAX_SAFE_INTEGER;
      await pipeline.start();
      await source.deliver({ a: 1 });
      await until(() => engine.requests > 1);
      expect((await pipeline.sinkStatus()).details.lastError).toBe(`HTTP 500: ${reason}`);
      await pipeline.stop();
    });

    it('should not say the engine answers again when a stop gives up on an engine that never did', async () => {
      const { source, engine, pipeline, logger } = setup({ drainTimeoutMs: 50 });
      engine.transientFailuresLeft = Number.MAX_SAFE_INTEGER;
      await pipeline.start();
      await source.deliver({ a: 1 });
      await pipeline.stop();
      expect(logger.lines.filter((l) => l.includes('answering again'))).toEqual([]);
      expect(logger.lines).toContain(
        'warn: engine still failing when the shutdown stopped waiting; unsettled messages are abandoned for redelivery',
      );
    });

    it('should say a table is missing, not advise a MessageId column, when the id lookup cannot find the table', async () => {
      const { source, engine, pipeline, logger } = setup();
      engine.lookupError = kustoHttpError(
        400,
        "Semantic error: KS204: The name 'T' does not refer to any known table, tabular variable or function. (at 1:40)",
        true,
      );
      await pipeline.start();
      await source.deliver({ a: 1 });
      await until(() => logger.lines.some((l) => l.startsWith('error: message-id lookup')));
      const line = logger.lines.find((l) => l.startsWith('error: message-id lookup'))!;
      expect(line).toMatch(
        /Table T does not exist in database db: create it, or route its messages elsewhere\.$/,
      );
      expect(line).not.toContain('MessageId');
      await pipeline.stop();
    });

    it('should advise the id column when the lookup cannot find the column', async () => {
      const { source, engine, pipeline, logger } = setup();
      engine.lookupError = kustoHttpError(
        400,
        "Semantic error: KS142: The name 'MessageId' does not refer to any known column, table, variable or function. (at 1:50)",
        true,
      );
      await pipeline.start();
      await source.deliver({ a: 1 });
      await until(() => logger.lines.some((l) => l.startsWith('error: message-id lookup')));
      expect(logger.lines.find((l) => l.startsWith('error: message-id lookup'))).toMatch(
        /Add a string column MessageId mapped from \$\.messageId to T, or set INGEST_DEDUP=off\.$/,
      );
      await pipeline.stop();
    });
  });
});
