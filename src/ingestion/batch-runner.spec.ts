import { describe, expect, it } from 'vitest';
import {
  FakeEngine,
  FakeSource,
  ingestRetry,
  pipelineEntry,
  RecordingLogger,
} from '../../test/utils/ingestion-doubles.js';
import type { Batch } from './batch-accumulator.js';
import { BatchCommittedNotifier, type BatchCommittedEvent } from './batch-committed-notifier.js';
import { BatchRunner } from './batch-runner.js';
import { systemClock } from './clock.js';
import { DeadLetterReason } from './dead-letter-reason.js';
import { DedupFilter, type DedupMode } from './dedup-filter.js';
import { ingestionMetrics } from './ingestion-metrics.js';
import type { PipelineEntry } from './pipeline-entry.js';
import { Settlement } from './settlement.js';

const entry = (id: string, body: Record<string, unknown> = {}, deliveryCount = 0): PipelineEntry =>
  pipelineEntry(id, { body, deliveryCount });

function batchOf(items: PipelineEntry[]): Batch<PipelineEntry> {
  return { key: 'T', items, bytes: 0, tagBytes: 0, openedAt: 0 };
}

function setup(
  options: { dedup?: DedupMode; ingestAllowed?: Promise<void> } = {},
  engine = new FakeEngine(),
) {
  const source = new FakeSource();
  const logger = new RecordingLogger();
  const metrics = ingestionMetrics();
  const drain = new AbortController();
  const retry = ingestRetry(engine, { logger, drain: drain.signal });
  const notifier = new BatchCommittedNotifier(logger);
  const committed: BatchCommittedEvent[] = [];
  notifier.add((event) => committed.push(event));
  const returned: string[] = [];
  const released: string[][] = [];
  const runner = new BatchRunner({
    database: 'db',
    maxParallelIngests: 2,
    dedup: new DedupFilter({
      database: 'db',
      mode: options.dedup ?? 'table',
      column: 'MessageId',
      index: engine,
      atLeastOnce: new Set(),
      retry,
      clock: systemClock,
      logger,
    }),
    retry,
    settlement: new Settlement(source, metrics, logger),
    notifier,
    clock: systemClock,
    logger,
    metrics,
    drain: drain.signal,
    ingestAllowed: () => options.ingestAllowed,
    ingestReturned: (key) => returned.push(key),
    released: (entries) => released.push(entries.map((e) => e.message.messageId)),
  });
  const run = async (items: PipelineEntry[]) => {
    runner.dispatch(batchOf(items));
    await runner.settled();
  };
  return { source, engine, runner, run, drain, committed, returned, released };
}

describe(BatchRunner.name, () => {
  describe('dispatch', () => {
    it('should ingest, complete, announce the committed rows, and then release the messages', async () => {
      const { source, engine, runner, run, committed, returned, released } = setup();
      await run([entry('a'), entry('b')]);
      expect(engine.rows.map((r) => r.messageId)).toEqual(['a', 'b']);
      expect(source.count('complete')).toBe(2);
      expect(committed).toEqual([{ database: 'db', table: 'T', rows: 2 }]);
      expect(returned).toEqual(['T']);
      expect(released).toEqual([['a', 'b']]);
      expect(runner.counts).toEqual({ ingested: 2, duplicates: 0, abandoned: 0, batches: 1 });
      expect(runner.running).toBe(0);
    });

    it('should bisect a batch the engine rejects and dead-letter only the poison message', async () => {
      const { source, engine, run } = setup();
      await run(Array.from({ length: 8 }, (_, i) => entry(`id${i}`, i === 5 ? { i, poison: true } : { i })));
      expect(source.count('complete')).toBe(7);
      expect(source.deadLettered).toEqual([
        {
          id: 'id5',
          reason: DeadLetterReason.MappingFailure,
          description:
            "engine rejected the rows for table T (HTTP 400): Mapping 'm' failed: column 'n' is not a long",
        },
      ]);
      expect(engine.rows).toHaveLength(7);
    });

    it('should complete a message already in the table without ingesting it again, and announce nothing', async () => {
      const { source, engine, runner, run, committed } = setup();
      engine.rows.push({ messageId: 'same' });
      await run([entry('same', {}, 1)]);
      expect(engine.requests).toBe(0);
      expect(source.count('complete')).toBe(1);
      expect(committed).toEqual([]);
      expect(runner.counts).toMatchObject({ ingested: 0, duplicates: 1 });
    });

    it('should look up only redelivered messages in redelivered mode', async () => {
      const { engine, run } = setup({ dedup: 'redelivered' });
      await run([entry('first')]);
      expect(engine.lookups).toEqual([]);
      await run([entry('first', {}, 1), entry('other')]);
      expect(engine.lookups).toEqual([['first']]);
      expect(engine.rows.map((r) => r.messageId)).toEqual(['first', 'other']);
    });

    it('should abandon a batch still waiting for ingesting to be allowed when the drain is aborted', async () => {
      const { source, engine, runner, drain, returned, released } = setup({
        ingestAllowed: new Promise<void>(() => undefined),
      });
      runner.dispatch(batchOf([entry('a')]));
      drain.abort();
      await runner.settled();
      expect(engine.requests).toBe(0);
      expect(engine.lookups).toEqual([]);
      expect(source.count('abandon')).toBe(1);
      expect(runner.counts.abandoned).toBe(1);
      expect(returned).toEqual(['T']);
      expect(released).toEqual([['a']]);
    });
  });
});
