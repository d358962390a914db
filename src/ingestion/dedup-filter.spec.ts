import { describe, expect, it } from 'vitest';
import { FakeEngine, kustoHttpError, RecordingLogger } from '../../test/utils/ingestion-doubles.js';
import { systemClock } from './clock.js';
import { DedupFilter, type DedupMode } from './dedup-filter.js';
import { ingestByTag } from './ingest-by-tag.js';
import { IngestRetry } from './ingest-retry.js';
import { ingestionMetrics } from './ingestion-metrics.js';
import type { PipelineEntry } from './pipeline-entry.js';
import { ReachabilityTracker } from './reachability-tracker.js';
import type { RouteTarget } from './table-router.js';

const TARGET: RouteTarget = { table: 'T', format: 'json' };

function entry(id: string, deliveryCount = 0): PipelineEntry {
  return {
    message: { messageId: id, body: {}, deliveryCount, handle: id },
    target: TARGET,
    payload: Buffer.from(`${JSON.stringify({ messageId: id })}\n`),
    rows: 1,
    batchKey: 'T',
    idKey: `T\u0001${id}`,
    ingestByTag: ingestByTag('T', id),
  };
}

function setup(mode: DedupMode = 'table', atLeastOnce: string[] = []) {
  const engine = new FakeEngine();
  const logger = new RecordingLogger();
  const retry = new IngestRetry({
    database: 'db',
    sink: engine,
    clock: systemClock,
    logger,
    metrics: ingestionMetrics(),
    random: () => 0,
    backoff: { initialMs: 1, maxMs: 4 },
    health: new ReachabilityTracker(systemClock, 60_000),
    drain: new AbortController().signal,
    onResume: () => undefined,
  });
  const filter = new DedupFilter({
    database: 'db',
    mode,
    column: 'MessageId',
    index: engine,
    atLeastOnce: new Set(atLeastOnce),
    retry,
    clock: systemClock,
    logger,
  });
  return { engine, logger, filter };
}

const ids = (entries: PipelineEntry[]) => entries.map((e) => e.message.messageId);

describe(DedupFilter.name, () => {
  describe('split', () => {
    it('should set apart the messages whose id is already in the table', async () => {
      const { engine, filter } = setup();
      engine.rows.push({ messageId: 'b' });
      const { fresh, duplicates } = await filter.split(TARGET, [entry('a'), entry('b'), entry('c')]);
      expect(ids(fresh)).toEqual(['a', 'c']);
      expect(ids(duplicates)).toEqual(['b']);
    });

    it('should look up only redelivered messages in redelivered mode, and every one when told to', async () => {
      const { engine, filter } = setup('redelivered');
      await filter.split(TARGET, [entry('a'), entry('b', 1)]);
      await filter.split(TARGET, [entry('a'), entry('b', 1)], true);
      expect(engine.lookups).toEqual([['b'], ['a', 'b']]);
    });

    it('should never look up a table whose route declares at-least-once delivery', async () => {
      const { engine, filter } = setup('table', ['T']);
      expect(ids((await filter.split(TARGET, [entry('a')])).fresh)).toEqual(['a']);
      expect(engine.lookups).toEqual([]);
    });

    it('should say a table is missing, not advise a MessageId column, when the id lookup cannot find the table', async () => {
      const { engine, filter, logger } = setup();
      engine.lookupError = kustoHttpError(
        400,
        "Semantic error: KS204: The name 'T' does not refer to any known table, tabular variable or function. (at 1:40)",
        true,
      );
      // Ingested without dedup (at-least-once) rather than stopped.
      expect(ids((await filter.split(TARGET, [entry('a')])).fresh)).toEqual(['a']);
      const line = logger.lines.find((l) => l.startsWith('error: message-id lookup'))!;
      expect(line).toMatch(
        /Table T does not exist in database db: create it, or route its messages elsewhere\.$/,
      );
      expect(line).not.toContain('MessageId');
    });

    it('should advise the id column when the lookup cannot find the column', async () => {
      const { engine, filter, logger } = setup();
      engine.lookupError = kustoHttpError(
        400,
        "Semantic error: KS142: The name 'MessageId' does not refer to any known column, table, variable or function. (at 1:50)",
        true,
      );
      await filter.split(TARGET, [entry('a')]);
      expect(logger.lines.find((l) => l.startsWith('error: message-id lookup'))).toMatch(
        /Add a string column MessageId mapped from \$\.messageId to T, or set INGEST_DEDUP=off\.$/,
      );
    });
  });
});
