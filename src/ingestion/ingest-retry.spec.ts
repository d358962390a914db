import { describe, expect, it } from 'vitest';
import { ingestRetry, pipelineEntry } from '../../test/utils/ingestion-doubles.js';
import { DrainAbortedError } from './drain-aborted-error.js';
import { ingestByTag } from './ingest-by-tag.js';
import { IngestRetry, type Recheck } from './ingest-retry.js';
import type { IngestReceipt, IngestSink, IngestTarget } from './kusto-ingest-sink.js';
import type { PipelineEntry } from './pipeline-entry.js';
import type { RouteTarget } from './table-router.js';

const TARGET: RouteTarget = { table: 'T', format: 'json' };

const entry = (id: string, deliveryCount = 1, tag?: string): PipelineEntry =>
  pipelineEntry(id, { deliveryCount, ingestByTag: tag });

/**
 * A data-management service as ADX runs one: an ingestion whose `ingestIfNotExists` lists a tag already on an
 * extent stores nothing and is reported skipped; otherwise its rows and tags are committed.
 */
class TaggingEngine implements IngestSink {
  readonly tags = new Set<string>();
  readonly ids: string[] = [];
  readonly requests: string[][] = [];
  readonly targets: IngestTarget[] = [];

  ingest(target: IngestTarget, payload: Buffer): Promise<IngestReceipt> {
    this.targets.push(target);
    const ids = payload
      .toString()
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { messageId: string }).messageId);
    this.requests.push(ids);
    const tags = target.ingestByTags ?? [];
    if (tags.some((tag) => this.tags.has(tag))) {
      return Promise.resolve('skipped');
    }
    tags.forEach((tag) => this.tags.add(tag));
    this.ids.push(...ids);
    return Promise.resolve('committed');
  }

  /** What the pipeline's id lookup sees. */
  readonly recheck: Recheck = (_target, entries) =>
    Promise.resolve({
      fresh: entries.filter((e) => !this.ids.includes(e.message.messageId)),
      duplicates: entries.filter((e) => this.ids.includes(e.message.messageId)),
    });

  close(): Promise<void> {
    return Promise.resolve();
  }
}

const retryOn = (sink: IngestSink): IngestRetry => ingestRetry(sink);

describe(IngestRetry.name, () => {
  describe('ingestIsolating', () => {
    it('should hand the sink the drain signal and end at once when the sink stops waiting on it, pausing nothing', async () => {
      const drain = new AbortController();
      const seen: (AbortSignal | undefined)[] = [];
      const sink: IngestSink = {
        ingest: (_target, _payload, signal) => {
          seen.push(signal);
          return Promise.reject(new DrainAbortedError('stopped waiting'));
        },
        close: () => Promise.resolve(),
      };
      const retry = ingestRetry(sink, { drain: drain.signal });
      await expect(
        retry.ingestIsolating(TARGET, [entry('a')], (_t, entries) =>
          Promise.resolve({ fresh: entries, duplicates: [] }),
        ),
      ).rejects.toThrow(DrainAbortedError);
      expect(seen).toEqual([drain.signal]);
      expect({ pauses: retry.pauses, paused: retry.paused }).toEqual({ pauses: 0, paused: false });
    });

    it('should tag every message on its own, whatever batch carries it', async () => {
      const engine = new TaggingEngine();
      await retryOn(engine).ingestIsolating(TARGET, [entry('a'), entry('b')], engine.recheck);
      expect([...engine.tags]).toEqual([ingestByTag('T', 'a'), ingestByTag('T', 'b')]);
    });

    it('should hand the sink the tag each entry carries, at every level of a bisection, not hash it again', async () => {
      const engine = new TaggingEngine();
      const retry = retryOn(engine);
      await retry.ingestIsolating(TARGET, [entry('a', 1, 'kqlgate-carried-a')], engine.recheck);
      const regrouped = [entry('a', 1, 'kqlgate-carried-a'), entry('b', 1, 'kqlgate-carried-b')];
      await retry.ingestIsolating(TARGET, regrouped, engine.recheck);
      expect(engine.targets.map((t) => t.ingestByTags)).toEqual([
        ['kqlgate-carried-a'],
        ['kqlgate-carried-a', 'kqlgate-carried-b'],
        ['kqlgate-carried-b'],
      ]);
    });

    it('should ingest again only the messages a skipped ingestion did not hold', async () => {
      const engine = new TaggingEngine();
      const retry = retryOn(engine);
      // An earlier consumer's batch, committed after the regrouped batch was looked up.
      await retry.ingestIsolating(TARGET, [entry('a'), entry('b')], engine.recheck);

      const regrouped = [entry('n1'), entry('a'), entry('n2'), entry('b'), entry('n3')];
      const outcome = await retry.ingestIsolating(TARGET, regrouped, engine.recheck);

      expect(outcome.rejected).toEqual([]);
      expect(outcome.ingested.map((e) => e.message.messageId).sort()).toEqual(['a', 'b', 'n1', 'n2', 'n3']);
      expect([...engine.ids].sort()).toEqual(['a', 'b', 'n1', 'n2', 'n3']);
      // The regrouped batch was skipped whole; its halves ingested only the new messages.
      expect(engine.requests).toEqual([['a', 'b'], ['n1', 'a', 'n2', 'b', 'n3'], ['n1', 'n2'], ['n3']]);
    });

    it('should mark a batch holding a message delivered before as redelivered (managed mode queues it)', async () => {
      const engine = new TaggingEngine();
      const retry = retryOn(engine);
      await retry.ingestIsolating(TARGET, [entry('a', 0), entry('b', 0)], engine.recheck);
      await retry.ingestIsolating(TARGET, [entry('c', 0), entry('d', 2)], engine.recheck);
      expect(engine.targets.map((t) => t.redelivered)).toEqual([false, true]);
    });

    it('should settle a lone message whose own tag is already on an extent', async () => {
      const engine = new TaggingEngine();
      engine.tags.add(ingestByTag('T', 'a'));
      const outcome = await retryOn(engine).ingestIsolating(TARGET, [entry('a')], engine.recheck);
      expect(outcome.ingested.map((e) => e.message.messageId)).toEqual(['a']);
      expect(engine.ids).toEqual([]);
    });
  });
});
