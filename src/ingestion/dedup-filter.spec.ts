import { describe, expect, it } from 'vitest';
import {
  FakeEngine,
  ingestRetry,
  kustoHttpError,
  pipelineEntry,
  RecordingLogger,
} from '../../test/utils/ingestion-doubles.js';
import { systemClock } from './clock.js';
import { DedupFilter, type DedupMode } from './dedup-filter.js';
import type { PipelineEntry } from './pipeline-entry.js';
import type { RouteTarget } from './table-router.js';

const TARGET: RouteTarget = { table: 'T', format: 'json' };

const entry = (id: string, deliveryCount = 0): PipelineEntry => pipelineEntry(id, { deliveryCount });

function setup(mode: DedupMode = 'table', atLeastOnce: string[] = []) {
  const engine = new FakeEngine();
  const logger = new RecordingLogger();
  const retry = ingestRetry(engine, { logger });
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
