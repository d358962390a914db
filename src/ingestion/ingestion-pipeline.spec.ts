import * as crypto from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import type { BatchCommittedEvent, IngestionPipelineOptions } from './ingestion-pipeline.js';
import type { TableRouter as TableRouterType } from './table-router.js';

// Counts the ingest-by tags hashed (the only sha256 on the pipeline's path), calling through to the real one.
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, createHash: vi.fn(actual.createHash) };
});

// The unit project shares one module registry across its files (vitest.config.ts, isolate: false): another file may
// already have loaded the pipeline with the real crypto, so it is loaded afresh here, with the mock.
vi.resetModules();
const { FakeEngine, FakeSource, kustoHttpError, RecordingLogger, until } =
  await import('../../test/utils/ingestion-doubles.js');
const { ingestByTag } = await import('./ingest-by-tag.js');
const { IngestionPipeline } = await import('./ingestion-pipeline.js');
const { ingestByTagBytes, QUEUED_INGESTION_TAG_BUDGET_BYTES } = await import('./kusto-ingest-sink.js');
const { TableRouter } = await import('./table-router.js');

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

function setup(
  overrides: Partial<IngestionPipelineOptions> = {},
  router: Pick<TableRouterType, 'route' | 'rules'> = new TableRouter({ property: 'eventType', routes: {} }),
  engine = new FakeEngine(),
) {
  const source = new FakeSource();
  const logger = new RecordingLogger();
  const pipeline = new IngestionPipeline(
    { source, sink: engine, index: engine, router: router as TableRouterType, logger },
    { ...options, ...overrides },
  );
  return { source, engine, pipeline, logger };
}

describe(IngestionPipeline.name, () => {
  describe('start', () => {
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

  describe('stop', () => {
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
    it('should report the receive link as the source reports it', async () => {
      const { source, pipeline } = setup();
      await pipeline.start();
      expect(await pipeline.sourceStatus()).toMatchObject({ details: { link: 'detached' } });
      source.onLink!(true);
      expect(await pipeline.sourceStatus()).toEqual({ up: true, details: { link: 'attached' } });
      await pipeline.stop();
    });
  });

  describe('sinkStatus', () => {
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
  });
});
